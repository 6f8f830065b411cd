package understand

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// tuning holds the tuning set: labelled phrasings (tuning/phrases) and
// messages the bot does not answer (tuning/outofscope; all.yaml is for
// every language). The held-out test
// sets stay in testdata and never reach the model.
//
//go:embed tuning/phrases/*.yaml tuning/outofscope/*.yaml
var tuning embed.FS

// The classes of the second stage: the four main intents, then the rest.
var modelIntents = [...]Intent{Contacts, Services, Encounters, Help}

const (
	classOut = len(modelIntents) // none of the main intents
	classes  = classOut + 1
)

// example is one labelled message of the tuning set.
type example struct {
	lang, text string
	class      int
}

var (
	tuningOnce     sync.Once
	tuningExamples []example
)

// tuningSet returns the embedded tuning set, read once. It is part of the
// binary, checked by the tests: a broken file is a programming error.
func tuningSet() []example {
	tuningOnce.Do(func() {
		var err error
		if tuningExamples, err = readTuning(tuning); err != nil {
			panic(err)
		}
	})
	return tuningExamples
}

func readTuning(fsys fs.FS) ([]example, error) {
	var out []example
	for _, folder := range []string{"tuning/phrases", "tuning/outofscope"} {
		files, err := fs.Glob(fsys, folder+"/*.yaml")
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, err
			}
			var m map[string][]string
			if err := yaml.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			lang := strings.TrimSuffix(path.Base(name), ".yaml")
			if lang == "all" {
				lang = "" // counts for every language
			}
			keys := make([]string, 0, len(m))
			for key := range m {
				keys = append(keys, key)
			}
			sort.Strings(keys) // a fixed order: the same model every time
			for _, key := range keys {
				list := m[key]
				class := -1
				if key == "outofscope" {
					class = classOut
				}
				for i, in := range modelIntents {
					if Intent(key) == in {
						class = i
					}
				}
				if class < 0 {
					return nil, fmt.Errorf("%s: unknown class %q", name, key)
				}
				for _, text := range list {
					out = append(out, example{lang: lang, text: text, class: class})
				}
			}
		}
	}
	return out, nil
}

// classOf is the model's class for an intent's words: the main intents are
// their own classes; the others, which the second stage never answers, are
// out of scope, except the agency's name, which says whom a question is
// about and not what it asks.
func classOf(i Intent) (int, bool) {
	switch familyOf(i) {
	case Contacts:
		return 0, true
	case Services:
		return 1, true
	case Encounters:
		return 2, true
	case Help:
		return 3, true
	case Unanswered, Greeting, Thanks, Language, Privacy, Menu:
		return classOut, true
	}
	return 0, false
}
