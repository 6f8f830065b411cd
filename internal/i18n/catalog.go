package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/go-playground/locales"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"

	"github.com/integrationsagentur-marl/integrabot/internal/problem"
)

// Catalog holds every UI string in every language.
type Catalog struct {
	langs       []Lang
	byCode      map[string]Lang
	ids         []string // message ids of the reference language
	localizers  map[string]*i18n.Localizer
	static      map[string]map[string]string // lang → id → text, for messages without template or plural
	translators map[string]locales.Translator
	matcher     matcher
	review      map[string]Review
}

// Review says whether a native speaker has read a language's translations.
type Review struct {
	Reviewed bool   `yaml:"reviewed"`
	Reviewer string `yaml:"reviewer"`
	Date     string `yaml:"date"`
}

// FileReview records the review status of each language.
const FileReview = "review.yaml"

// Load reads languages.yaml, review.yaml and one <code>.yaml per language. The
// first language is the reference: every other file must have exactly its
// message ids and every plural form its language needs. The error lists every
// problem (problem.List) so that translators see them all at once.
func Load(fsys fs.FS) (*Catalog, error) {
	langs, err := loadLanguages(fsys)
	if err != nil {
		return nil, err
	}
	c := &Catalog{
		langs:       langs,
		byCode:      map[string]Lang{},
		localizers:  map[string]*i18n.Localizer{},
		static:      map[string]map[string]string{},
		translators: map[string]locales.Translator{},
		matcher:     newMatcher(langs),
	}
	ref := langs[0]
	// One bundle per language: a shared bundle matches "de-x-simple" to "de"
	// (language matching drops the private-use part), and plain German would
	// get ordinary German for every message with a template or plural form.
	bundles := map[string]*i18n.Bundle{}

	var problems problem.List
	files := map[string]*i18n.MessageFile{}
	lines := map[string]map[string]int{}
	for _, l := range langs {
		c.byCode[l.Code] = l
		c.translators[l.Code] = cldrLocales[l.CLDR]()
		name := l.Code + ".yaml"
		bundle := i18n.NewBundle(l.Tag)
		bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
		bundles[l.Code] = bundle
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, problem.Problem{File: name, Msg: "cannot read: " + err.Error()})
			continue
		}
		mf, err := bundle.ParseMessageFileBytes(data, name)
		if err != nil {
			problems = append(problems, problem.Problem{File: name, Msg: "not a valid message file: " + err.Error()})
			continue
		}
		files[l.Code] = mf
		lines[l.Code] = keyLines(data)
	}
	if refFile := files[ref.Code]; refFile != nil {
		for _, m := range refFile.Messages {
			c.ids = append(c.ids, m.ID)
		}
		sort.Strings(c.ids)
	}
	for _, l := range langs {
		c.localizers[l.Code] = i18n.NewLocalizer(bundles[l.Code], l.Code)
		mf := files[l.Code]
		if mf == nil {
			continue
		}
		problems = append(problems, c.compare(l, mf, lines[l.Code])...)
	}
	review, err := loadReview(fsys, langs)
	if err != nil {
		problems = append(problems, problem.Problem{File: FileReview, Msg: err.Error()})
	}
	c.review = review
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// compare checks one language against the reference and caches its static texts.
func (c *Catalog) compare(l Lang, mf *i18n.MessageFile, lines map[string]int) problem.List {
	var problems problem.List
	file := l.Code + ".yaml"
	have := map[string]*i18n.Message{}
	for _, m := range mf.Messages {
		have[m.ID] = m
	}
	c.static[l.Code] = map[string]string{}
	for _, id := range c.ids {
		m, ok := have[id]
		if !ok {
			problems = append(problems, problem.Problem{File: file, Field: id, Msg: "missing translation"})
			continue
		}
		if m.Other != "" && !isPlural(m) && !strings.Contains(m.Other, "{{") {
			c.static[l.Code][id] = m.Other
		}
		if isPlural(m) {
			problems = append(problems, c.checkPlural(l, id, lines[id])...)
		}
	}
	for id := range have {
		if !contains(c.ids, id) {
			problems = append(problems, problem.Problem{File: file, Line: lines[id], Field: id, Msg: "not in the reference language " + c.langs[0].Code + ".yaml (misspelt id?)"})
		}
	}
	return problems
}

// checkPlural renders a plural message for every count that picks a
// different CLDR form in the language and reports the forms that are missing.
func (c *Catalog) checkPlural(l Lang, id string, line int) problem.List {
	loc := c.localizers[l.Code]
	for n := 0; n <= 120; n++ {
		_, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: map[string]any{"Count": n}})
		if err != nil {
			return problem.List{{File: l.Code + ".yaml", Line: line, Field: id, Msg: fmt.Sprintf("missing plural form for %d: %v", n, err)}}
		}
	}
	return nil
}

func isPlural(m *i18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

func contains(list []string, s string) bool {
	i := sort.SearchStrings(list, s)
	return i < len(list) && list[i] == s
}

// keyLines maps each top-level key of a YAML file to its line.
func keyLines(data []byte) map[string]int {
	out := map[string]int{}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return out
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		out[root.Content[i].Value] = root.Content[i].Line
	}
	return out
}

func loadReview(fsys fs.FS, langs []Lang) (map[string]Review, error) {
	data, err := fs.ReadFile(fsys, FileReview)
	if err != nil {
		return nil, err
	}
	out := map[string]Review{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	var missing []string
	for _, l := range langs {
		if _, ok := out[l.Code]; !ok {
			missing = append(missing, l.Code)
		}
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("no review status for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// Languages lists the languages in picker order.
func (c *Catalog) Languages() []Lang { return c.langs }

// Lang returns the language with the given code.
func (c *Catalog) Lang(code string) (Lang, bool) {
	l, ok := c.byCode[code]
	return l, ok
}

// Default is the reference language, used when nothing else is known.
func (c *Catalog) Default() string { return c.langs[0].Code }

// Match maps Telegram's language_code to a language the bot speaks, only when sure.
func (c *Catalog) Match(code string) (string, bool) { return c.matcher.match(code) }

// MessageIDs lists the ids every language has.
func (c *Catalog) MessageIDs() []string { return c.ids }

// Review returns the review status of a language.
func (c *Catalog) Review(code string) Review { return c.review[code] }

// T returns a message without template fields.
func (c *Catalog) T(lang, id string) string {
	if s, ok := c.static[lang][id]; ok {
		return s
	}
	return c.Format(lang, id, nil)
}

// Format returns a message with its template fields filled in.
func (c *Catalog) Format(lang, id string, data map[string]any) string {
	return c.localize(lang, &i18n.LocalizeConfig{MessageID: id, TemplateData: data})
}

// Plural returns a plural message for count; data may add more fields
// ({{.Count}} is set, in the language's digits).
func (c *Catalog) Plural(lang, id string, count int, data map[string]any) string {
	d := map[string]any{"Count": c.Digits(lang, strconv.Itoa(count))}
	for k, v := range data {
		d[k] = v
	}
	return c.localize(lang, &i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: d})
}

func (c *Catalog) localize(lang string, cfg *i18n.LocalizeConfig) string {
	loc, ok := c.localizers[lang]
	if !ok {
		loc = c.localizers[c.langs[0].Code]
	}
	s, err := loc.Localize(cfg)
	var notFound *i18n.MessageNotFoundErr
	if err != nil && !errors.As(err, &notFound) {
		// Load proved every message exists in every language; this is a template
		// error in a message. Show the id rather than nothing.
		return cfg.MessageID
	}
	return s
}
