// Package vercelbuild holds a test that builds every api/ entrypoint the way
// Vercel's Go builder does, so a function that Vercel would refuse or fail
// to compile is caught before a deploy.
package vercelbuild
