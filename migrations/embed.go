// Package migrations holds the numbered SQL migrations of the portal-auth
// schema, embedded into every binary that needs them.
package migrations

import "embed"

// FS holds the goose migration files (NNNNN_name.sql).
//
//go:embed *.sql
var FS embed.FS
