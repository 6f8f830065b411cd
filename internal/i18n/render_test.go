package i18n_test

import (
	"io/fs"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/integrationsagentur-marl/integrabot/locales"
)

// fields fills every template field any message uses.
var fields = map[string]any{
	"Weekday": "WD", "Day": "7", "Month": "MO", "Date": "DATE", "Start": "S", "End": "E",
	"Place": "PLACE", "Count": 3, "Name": "NAME", "MonthNumber": "12",
}

// sourceForms reads a locale file as it is written: id → its forms
// ("other" alone for a message without plural forms).
func sourceForms(t *testing.T, code string) map[string]map[string]string {
	t.Helper()
	data, err := fs.ReadFile(locales.FS(), code+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for id, v := range raw {
		switch v := v.(type) {
		case string:
			out[id] = map[string]string{"other": v}
		case map[string]any:
			out[id] = map[string]string{}
			for form, s := range v {
				out[id][form], _ = s.(string)
			}
		}
	}
	return out
}

func render(t *testing.T, src string, data map[string]any) string {
	t.Helper()
	tpl, err := template.New("").Parse(src)
	if err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	var b strings.Builder
	if err := tpl.Execute(&b, data); err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	return b.String()
}

// Every message id, rendered in every language, comes from that language's
// own file: a plain-German resident never gets ordinary German because the
// message has a template or a plural form.
func TestEveryMessageInItsOwnLanguage(t *testing.T) {
	c := catalog(t)
	for _, l := range c.Languages() {
		src := sourceForms(t, l.Code)
		for _, id := range c.MessageIDs() {
			forms := src[id]
			if len(forms) == 0 {
				t.Errorf("%s: %s not in the file", l.Code, id)
				continue
			}
			for _, n := range []int{0, 1, 2, 3, 5, 11, 21, 100} {
				data := map[string]any{}
				for k, v := range fields {
					data[k] = v
				}
				data["Count"] = n
				var got string
				if len(forms) > 1 || forms["other"] == "" {
					got = c.Plural(l.Code, id, n, data)
				} else {
					got = c.Format(l.Code, id, data)
				}
				own := false
				for _, f := range forms {
					if render(t, f, data) == got {
						own = true
					}
				}
				if !own {
					t.Errorf("%s: %s (count %d) = %q, not from %s.yaml %v", l.Code, id, n, got, l.Code, forms)
				}
				if len(forms) == 1 {
					break // no plural: one count is enough
				}
			}
		}
	}
}

// Every text is formal, so command descriptions and buttons are too: none
// starts with an informal imperative ("Yeniden başla" beside "Lütfen
// dilinizi seçin").
func TestOneRegisterPerLanguage(t *testing.T) {
	c := catalog(t)
	informal := map[string][]string{
		"tr": {"başla", "seç", "ara", "sil", "dokun", "yaz", "kaydet"},
		"ku": {"vegere", "bike", "hilbijêre", "bitikîne", "binivîse", "tomar bike"},
		"ro": {"începe", "alege", "atinge", "scrie", "sună", "salvează", "șterge"},
		"bg": {"започни", "избери", "натисни", "напиши", "обади се", "запази", "изтрий"},
	}
	for lang, forms := range informal {
		for _, id := range c.MessageIDs() {
			text := " " + strings.ToLower(strings.Trim(c.T(lang, id), ".!?:")) + " "
			text = strings.NewReplacer(",", " ", ".", " ", "?", " ", "!", " ", ":", " ", "\u201c", " ", "\u201d", " ").Replace(text)
			for _, f := range forms {
				// the imperative stands first in Romanian and Bulgarian, last
				// in Turkish and Kurmanji, which put the verb at the end
				if strings.HasPrefix(text, " "+f+" ") || (lang == "tr" || lang == "ku") && strings.HasSuffix(text, " "+f+" ") {
					t.Errorf("%s %s: informal %q in %q", lang, id, f, c.T(lang, id))
				}
			}
		}
	}
}
