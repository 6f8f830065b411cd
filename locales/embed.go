// Package locales carries the UI strings, the language list and the intent
// words of every language inside the binary.
package locales

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml intents/*.yaml
var files embed.FS

// FS returns the locale folder: languages.yaml, review.yaml, <code>.yaml and intents/<code>.yaml.
func FS() fs.FS { return files }
