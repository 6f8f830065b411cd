package understand

import "testing"

// Latin spellings of Bulgarian, Russian and Ukrainian are written back in
// Cyrillic (normalised: й as и); words that are not Latin letters stay,
// and a message with Cyrillic letters, or of another language, is not
// spelt at all.
func TestInCyrillic(t *testing.T) {
	for _, tc := range []struct {
		norm, lang, want string
		ok               bool
	}{
		{"moje li nqkoi da mi se obadi", "bg", "може ли някои да ми се обади", true},
		{"ima li sre6ti v sybota", "bg", "има ли срещи в събота", true},
		{"tyrsq 4ovek", "bg", "търся човек", true},
		{"kakvo predlagate", "bg", "какво предлагате", true},
		{"hochu byt volonterom", "ru", "хочу быт волонтером", true},
		{"gde nahoditsya ofis", "ru", "где находиця офис", true},
		{"shchos bude v nedilyu", "uk", "щос буде в неділю", true},
		{"ye 10 uhr", "uk", "є 10 ухр", true},
		{"хочу byt", "ru", "", false},      // Cyrillic already: not Latin writing
		{"telefon bitte", "de", "", false}, // German has no Latin spelling to undo
		{"10 12", "ru", "", false},         // no Latin word
	} {
		got, ok := inCyrillic(tc.norm, tc.lang)
		if got != tc.want || ok != tc.ok {
			t.Errorf("inCyrillic(%q, %s) = %q, %v; want %q, %v", tc.norm, tc.lang, got, ok, tc.want, tc.ok)
		}
	}
}

// A resident who writes Bulgarian, Russian or Ukrainian in Latin letters
// gets the answer a Cyrillic question would get, and German or English
// words they write stay understood.
func TestLatinLettersAreReadAsCyrillic(t *testing.T) {
	words, services := inputs(t)
	c := New(words, services, "de", "en")
	for _, tc := range []struct {
		text, lang string
		want       Intent
	}{
		{"moje li da mi se obadite", "bg", Contacts},
		{"kakvi uslugi predlagate", "bg", Services},
		{"koga e sledva6tata sre6ta", "bg", Encounters},
		{"kak se polzva tozi chat", "bg", Help},
		{"kak s vami svyazatsya", "ru", Contacts},
		{"kogda sleduyushchaya vstrecha", "ru", Encounters},
		{"yak z vamy zvyazatysya", "uk", Contacts},
		{"koly nastupna zustrich", "uk", Encounters},
		{"iskam da stana dobrovolec", "bg", Services},
		{"kakvo mi predlagate vie", "bg", Services},
		{"molq obadete mi se", "bg", Contacts},
		{"hochu pomogat kak volonter", "ru", Services},
		{"chto u vas budet na sleduyushchey nedele", "ru", Encounters},
		{"yak tut pysaty pytannya", "uk", Help},
		{"Telefonnummer bitte", "ru", Contacts},
		{"termin", "bg", Encounters},
	} {
		if got := c.Classify(tc.text, tc.lang); familyOf(got.Intent) != tc.want {
			t.Errorf("%q in %s: %q, want %q", tc.text, tc.lang, got.Intent, tc.want)
		}
	}
}
