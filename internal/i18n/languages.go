// Package i18n speaks the bot's twelve languages: the go-i18n message
// catalogue from locales/, matching Telegram's language_code without ever
// guessing a wrong language, and dates written the CLDR way.
package i18n

import (
	"bytes"
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// Lang is one language the bot speaks.
type Lang struct {
	Code     string       `yaml:"code"`     // BCP 47 tag, names the locale files
	Name     string       `yaml:"name"`     // in its own name and script
	Telegram string       `yaml:"telegram"` // two-letter code for setMyCommands, "" for none
	CLDR     string       `yaml:"cldr"`     // locale for dates and plurals
	RTL      bool         `yaml:"rtl"`
	Names    []string     `yaml:"names"` // what residents may type to ask for it, in any language
	Tag      language.Tag `yaml:"-"`
}

// FileLanguages lists the languages, in picker order.
const FileLanguages = "languages.yaml"

func loadLanguages(fsys fs.FS) ([]Lang, error) {
	data, err := fs.ReadFile(fsys, FileLanguages)
	if err != nil {
		return nil, fmt.Errorf("read language list: %w", err)
	}
	var langs []Lang
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&langs); err != nil {
		return nil, fmt.Errorf("%s: %w", FileLanguages, err)
	}
	seen := map[string]bool{}
	for i := range langs {
		l := &langs[i]
		tag, err := language.Parse(l.Code)
		if err != nil {
			return nil, fmt.Errorf("%s: language %d: code %q: %w", FileLanguages, i+1, l.Code, err)
		}
		if seen[l.Code] {
			return nil, fmt.Errorf("%s: language %q listed twice", FileLanguages, l.Code)
		}
		if _, ok := cldrLocales[l.CLDR]; !ok {
			return nil, fmt.Errorf("%s: language %q: no CLDR data for %q", FileLanguages, l.Code, l.CLDR)
		}
		seen[l.Code] = true
		l.Tag = tag
	}
	if len(langs) == 0 {
		return nil, fmt.Errorf("%s: no languages", FileLanguages)
	}
	return langs, nil
}
