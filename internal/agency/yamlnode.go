package agency

import (
	"fmt"
	"github.com/integrationsagentur-marl/integrabot/internal/problem"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// reader walks YAML nodes of one file and collects problems with their line
// and field path, so that staff see every mistake at once.
type reader struct {
	file     string
	langs    []string
	problems problem.List
	warnings problem.List // worth fixing, but the content works
}

func (r *reader) fail(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	r.problems = append(r.problems, problem.Problem{File: r.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// fields calls set for each key of a mapping node and reports keys that set does not know.
func (r *reader) fields(n *yaml.Node, path string, set func(key string, v *yaml.Node) bool) {
	if n.Kind != yaml.MappingNode {
		r.fail(n, path, "expected a mapping (key: value), found %s", kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			r.fail(k, join(path, k.Value), "field given twice")
			continue
		}
		seen[k.Value] = true
		if !set(k.Value, v) {
			r.fail(k, join(path, k.Value), "unknown field")
		}
	}
}

// required reports each missing field of a mapping node.
func (r *reader) required(n *yaml.Node, path string, keys ...string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, key := range keys {
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				found = true
				break
			}
		}
		if !found {
			r.fail(n, join(path, key), "missing")
		}
	}
}

func (r *reader) str(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode {
		r.fail(n, path, "expected text, found %s", kindName(n))
		return ""
	}
	if strings.TrimSpace(n.Value) == "" {
		r.fail(n, path, "is empty")
	}
	return n.Value
}

func (r *reader) integer(n *yaml.Node, path string) int {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		r.fail(n, path, "expected a whole number, found %q", n.Value)
	}
	return v
}

// text reads a text given in every language; each missing language is a problem.
func (r *reader) text(n *yaml.Node, path string) Text {
	return r.textIn(n, path, false)
}

// textDE reads a text that must be given in German; each other missing
// language is a warning: residents then read the German text with a note.
func (r *reader) textDE(n *yaml.Node, path string) Text {
	return r.textIn(n, path, true)
}

func (r *reader) textIn(n *yaml.Node, path string, germanSuffices bool) Text {
	t := Text{}
	r.fields(n, path, func(lang string, v *yaml.Node) bool {
		if !r.knownLang(lang) {
			return false
		}
		t[lang] = r.str(v, join(path, lang))
		return true
	})
	if n.Kind == yaml.MappingNode {
		for _, lang := range r.langs {
			if _, ok := t[lang]; ok {
				continue
			}
			if germanSuffices && lang != SourceLang {
				r.warnings = append(r.warnings, problem.Problem{File: r.file, Line: n.Line, Field: join(path, lang),
					Msg: "missing translation; residents read the German text with a note"})
				continue
			}
			r.fail(n, join(path, lang), "missing translation")
		}
	}
	return t
}

// words reads a list of words per language; languages may be missing (the
// bot still finds a service through its title), unknown ones may not.
func (r *reader) words(n *yaml.Node, path string) map[string][]string {
	out := map[string][]string{}
	r.fields(n, path, func(lang string, v *yaml.Node) bool {
		if !r.knownLang(lang) {
			return false
		}
		if v.Kind != yaml.SequenceNode {
			r.fail(v, join(path, lang), "expected a list of words, found %s", kindName(v))
			return true
		}
		for i, w := range v.Content {
			out[lang] = append(out[lang], r.str(w, fmt.Sprintf("%s[%d]", join(path, lang), i)))
		}
		return true
	})
	return out
}

func (r *reader) knownLang(code string) bool {
	for _, l := range r.langs {
		if l == code {
			return true
		}
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// maxDepth bounds how deep aliases may lead: content files are shallow, and
// an alias that refers to itself must not loop.
const maxDepth = 32

// expand replaces aliases by what their anchors hold and applies merge keys
// ("<<: *defaults", keys written in the mapping itself win), so that staff
// may repeat a place or a text the way YAML allows. Problems are then
// reported at the anchor's line.
func expand(n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("anchors and aliases nest deeper than %d levels (an alias that refers to itself?)", maxDepth)
	}
	for i, c := range n.Content {
		if c.Kind == yaml.AliasNode && c.Alias != nil {
			n.Content[i] = c.Alias
		}
		if err := expand(n.Content[i], depth+1); err != nil {
			return err
		}
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var own, merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "<<" || k.Kind != yaml.ScalarNode {
			own = append(own, k, v)
			continue
		}
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, src := range sources {
			if src.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: a merge key (<<) takes a mapping, found %s", k.Line, kindName(src))
			}
			merged = append(merged, src.Content...)
		}
	}
	if merged == nil {
		return nil
	}
	has := map[string]bool{}
	for i := 0; i < len(own); i += 2 {
		has[own[i].Value] = true
	}
	for i := 0; i+1 < len(merged); i += 2 {
		if !has[merged[i].Value] {
			has[merged[i].Value] = true
			own = append(own, merged[i], merged[i+1])
		}
	}
	n.Content = own
	return nil
}
