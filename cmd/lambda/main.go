// Command lambda runs one portal-auth function on AWS Lambda behind a
// function URL, for deployments outside Vercel. PORTAL_FUNCTION names the
// function by its path, e.g. /api/v1/session/check.
package main

import (
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portal-auth/portal-auth/lib/app"
	"github.com/portal-auth/portal-auth/lib/lambdaurl"
)

func main() {
	h, err := handlerFor(os.Getenv("PORTAL_FUNCTION"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambda:", err)
		os.Exit(1)
	}
	lambda.Start(lambdaurl.New(h).Invoke)
}

func handlerFor(path string) (http.Handler, error) {
	for _, route := range app.Routes() {
		if route.Path == path {
			return route.Serve, nil
		}
	}
	return nil, fmt.Errorf("PORTAL_FUNCTION %q names no function", path)
}
