package conversation

import "strings"

// picker asks a resident whose language the bot does not know yet, in every
// language at once, with each language in its own name.
func (t *turn) picker() {
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
	t.setLang(code)
	t.out.State.Lang = code
	t.say(paragraphs(t.html("language.changed"), t.html("menu.prompt")), t.mainButtons())
	t.out.State.Screen = screenMain
}
