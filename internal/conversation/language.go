package conversation

import (
	"strings"

	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
	"github.com/integrationsagentur-marl/integrabot/internal/understand"
)

// picker asks a resident whose language the bot does not know yet, in every
// language at once, with each language in its own name.
func (t *turn) picker() {
	if t.ev.Kind == KindText {
		if code, ok := t.namedLanguage(t.ev.Text, understand.None); ok {
			defer t.suggest(code) // "Farsi" before any language is known: Persian first
		}
	}
	var lines []string
	seen := map[string]bool{}
	for _, l := range t.cat.Languages() {
		if p := t.cat.T(l.Code, "language.prompt"); !seen[p] { // German and plain German may ask alike
			seen[p] = true
			lines = append(lines, esc(p))
		}
	}
	t.languageButtons(strings.Join(lines, "\n"))
}

func (t *turn) languages(prompt string) { t.languageButtons(esc(prompt)) }

func (t *turn) languageButtons(text string) {
	var rows [][]Button
	var row []Button
	for _, l := range t.cat.Languages() {
		row = append(row, Button{Label: l.Name, Data: dataLanguage + l.Code})
		if len(row) == 2 {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	t.say("🌐 "+text, rows)
	t.out.State.Screen = screenLanguage
}

func (t *turn) chooseLanguage(code string) {
	if _, ok := t.cat.Lang(code); !ok {
		if t.lang == "" {
			t.picker()
			return
		}
		t.languages(t.tr("language.prompt"))
		return
	}
	chosenFirst := t.lang == "" // from the picker: the resident's first contact in a language
	t.setLang(code)
	t.out.State.Lang = code
	short := ""
	if chosenFirst {
		short = t.privacyShort()
	}
	if d := t.out.State.Dialogue; d != nil && d.Name == dialogueLink {
		t.out.State.Dialogue = nil
		if id, _ := parseLink(d.Draft["link"]); id != "" && t.ev.Now.Before(d.Expires) {
			t.out.Messages = append(t.out.Messages, Message{Text: t.dir(paragraphs(t.html("language.changed"), short))})
			t.subscribe(TopicEncounter(id)) // where the poster's link was going
			return
		}
	}
	t.say(paragraphs(t.html("language.changed"), short, t.html("menu.prompt")), t.mainButtons())
	t.showing(screenMain)
}

// langName is one name of a language, normalised, as residents type it.
type langName struct {
	code  string
	words []string
}

func languageNames(cat *i18n.Catalog) []langName {
	var out []langName
	for _, l := range cat.Languages() {
		for _, n := range append([]string{l.Name}, l.Names...) {
			if w := strings.Fields(understand.Normalize(n)); len(w) > 0 {
				out = append(out, langName{code: l.Code, words: w})
			}
		}
	}
	return out
}

// maxNamingWords: "auf Arabisch", "Türkçe bitte", "in plain German please";
// a longer message is a question about something else.
const maxNamingWords = 4

// namedLanguage finds a language the resident names in a short message
// ("Türkçe", "auf Arabisch", "Farsi"), unless the message asks for something
// else the bot answers ("Kann ich Deutsch lernen?" is not a wish to read German).
func (t *turn) namedLanguage(msg string, intent understand.Intent) (string, bool) {
	switch intent {
	case understand.None, understand.Language, understand.Thanks, understand.Greeting, understand.Menu:
	default:
		return "", false
	}
	words := strings.Fields(understand.Normalize(msg))
	if len(words) == 0 || len(words) > maxNamingWords {
		return "", false
	}
	for _, n := range t.names {
		if namesIn(words, n.words) {
			return n.code, true
		}
	}
	return "", false
}

// namesIn says whether the words of a name follow each other in words; a
// word of five letters or more also matches a longer word it starts.
func namesIn(words, name []string) bool {
	for i := 0; i+len(name) <= len(words); i++ {
		ok := true
		for j, n := range name {
			w := words[i+j]
			if w != n && (len([]rune(n)) < 5 || !strings.HasPrefix(w, n)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// offerLanguage answers a named language with the language buttons, that
// language first: one tap switches, and a wrong guess costs nothing.
func (t *turn) offerLanguage(code string) {
	t.languages(t.tr("language.prompt"))
	t.suggest(code)
}

// suggest puts the button of one language on top of the last reply's language buttons.
func (t *turn) suggest(code string) {
	last := &t.out.Messages[len(t.out.Messages)-1]
	for _, row := range last.Buttons {
		for _, b := range row {
			if b.Data == dataLanguage+code {
				last.Buttons = append([][]Button{{b}}, last.Buttons...)
				t.remember(last.Buttons)
				return
			}
		}
	}
}
