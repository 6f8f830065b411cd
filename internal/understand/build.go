package understand

import (
	"strings"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

// Build returns the classifier for the agency's content: the intent words of
// every language, each service's keywords, and the contact persons' names,
// so that "How do I reach Mr Heermann?" finds the contacts in any language.
// common are the languages always looked at (see New).
func Build(words map[string]Words, c *agency.Content, common ...string) *Classifier {
	all, services := buildInputs(words, c)
	return New(all, services, common...)
}

// buildInputs returns the words and services' keywords Build gives New.
func buildInputs(words map[string]Words, c *agency.Content) (map[string]Words, map[string]map[string][]string) {
	services := map[string]map[string][]string{}
	for _, s := range c.Services {
		services[s.ID] = s.Keywords
	}
	var names []string
	for _, p := range c.Contacts {
		for _, n := range strings.Fields(p.Name) {
			if len([]rune(n)) >= 4 {
				names = append(names, n)
			}
		}
	}
	all := make(map[string]Words, len(words))
	for lang, ws := range words {
		copied := Words{}
		for intent, list := range ws {
			copied[intent] = list
		}
		copied[Contacts] = append(append([]string(nil), ws[Contacts]...), names...)
		all[lang] = copied
	}
	return all, services
}
