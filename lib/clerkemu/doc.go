// Package clerkemu is an offline stand-in for Clerk: it serves the subset of
// the Clerk Backend API that portal-auth uses over real HTTP, mints RS256
// session tokens with its own key pair, and sends Svix-signed webhooks to
// endpoints registered at run time.
//
// Production code built on github.com/clerk/clerk-sdk-go/v2 runs unchanged
// against it: point each SDK client at the emulator's base URL (it ends in
// /v1) and secret key through clerk.ClientConfig.
//
// State lives in memory, guarded by one mutex, and can be persisted to a JSON
// file. Tests may also steer the emulator from Go: inject faults, change the
// rate limit, rotate keys, sign users in and wait for webhook deliveries to
// settle.
package clerkemu
