package understand

import (
	"errors"
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v3"

	"github.com/integrationsagentur-marl/integrabot/internal/problem"
)

// Intent is what a resident wants.
type Intent string

// The intents the bot understands. A service's own intent is ServicePrefix + its id.
const (
	None           Intent = ""
	Contacts       Intent = "contacts"
	Services       Intent = "services"
	Encounters     Intent = "encounters"
	EncountersWeek Intent = "encounters_week"
	Help           Intent = "help"
	Greeting       Intent = "greeting"
	Thanks         Intent = "thanks"
	Language       Intent = "language"
	Privacy        Intent = "privacy"
	Menu           Intent = "menu"
	// Unanswered are topics residents ask about that the agency's content
	// does not answer (German courses, opening hours): they get the kind
	// not-understood answer, not a screen that merely shares a word.
	Unanswered Intent = "unanswered"
	// Agency are the agency's own name and its parts: they say whom a
	// question is about, not what it asks, so they count only when nothing
	// else does ("Integrationsagentur?" is a question about its services;
	// "telefonnummer der integrationsagentur" asks for contacts).
	Agency        Intent = "agency"
	ServicePrefix        = "service:"
)

// intentKeys are the keys of an intent file, in the order of precedence when
// two intents score the same: what a resident most likely came for first.
var intentKeys = []Intent{Unanswered, Contacts, Encounters, EncountersWeek, Services, Help, Privacy, Language, Thanks, Greeting, Menu, Agency}

// Words are the keywords of one language, by intent.
type Words map[Intent][]string

// LoadWords reads intents/<code>.yaml for every language; every file must
// exist and every intent must have words.
func LoadWords(fsys fs.FS, langs []string) (map[string]Words, error) {
	out := map[string]Words{}
	var problems problem.List
	for _, lang := range langs {
		name := "intents/" + lang + ".yaml"
		data, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, problem.Problem{File: name, Msg: "missing: every language needs its intent words"})
			continue
		} else if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			problems = append(problems, problem.Problem{File: name, Msg: "not valid YAML: " + err.Error()})
			continue
		}
		words, ps := parseWords(name, &doc)
		problems = append(problems, ps...)
		out[lang] = words
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func parseWords(name string, doc *yaml.Node) (Words, problem.List) {
	var problems problem.List
	fail := func(n *yaml.Node, field, msg string) {
		problems = append(problems, problem.Problem{File: name, Line: n.Line, Field: field, Msg: msg})
	}
	words := Words{}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		fail(doc, "", "expected intents with lists of words")
		return words, problems
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		intent := Intent(k.Value)
		if !knownIntent(intent) {
			fail(k, k.Value, "unknown intent")
			continue
		}
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			fail(v, k.Value, "expected a list of words")
			continue
		}
		for j, w := range v.Content {
			if w.Kind != yaml.ScalarNode || Normalize(w.Value) == "" {
				fail(w, fmt.Sprintf("%s[%d]", k.Value, j), "empty word")
				continue
			}
			words[intent] = append(words[intent], w.Value)
		}
	}
	for _, intent := range intentKeys {
		if len(words[intent]) == 0 {
			fail(root, string(intent), "missing: no words for this intent")
		}
	}
	return words, problems
}

func knownIntent(i Intent) bool {
	for _, k := range intentKeys {
		if k == i {
			return true
		}
	}
	return false
}
