// Package content carries the agency's content folders inside the binary.
//
// Default is the content of the Integrationsagentur NRW in Marl; Example adds
// sample encounters (clearly marked as examples) for demos and tests. An
// operator replaces Default with a folder of their own through CONTENT_DIR.
package content

import (
	"embed"
	"io/fs"
)

//go:embed default/*.yaml
var defaultFS embed.FS

//go:embed example/*.yaml
var exampleFS embed.FS

// Default returns the embedded default content folder.
func Default() fs.FS { return mustSub(defaultFS, "default") }

// Example returns the sample layer; load it on top of Default.
func Example() fs.FS { return mustSub(exampleFS, "example") }

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // only on a wrong literal above
	}
	return sub
}
