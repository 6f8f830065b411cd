package understand

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Wie ist die TELEFONNUMMER?", "wie ist die telefonnummer"},
		{"Grüß Gott, Straße", "gruss gott strasse"},
		{"çalışma saatleri", "calisma saatleri"},
		{"ÇALIŞMA", "calisma"},
		{"Ukraїна, йод, ёлка", "ukraіна иод елка"},
		{"أين الاجتماع؟", "اين الاجتماع"},
		{"مدرسة", "مدرسه"},
		{"کجا یک", "كجا يك"},
		{"شماره‌تلفن", "شماره تلفن"},
		{"مـــرحبا", "مرحبا"},
		{"٢ ۳", "2 3"},
		{"  !!!  ", ""},
		{"Şêwirmendî û alîkarî", "sewirmendi u alikari"},
		{"Spotkałem", "spotkalem"},                 // ł typed as l
		{"hilfeeee!!! pleeease", "hilfee pleease"}, // stretched letters kept at two
		{"مرحبااااا", "مرحباا"},
		{"ϹΑΣ ϲας", "σασ σασ"}, // lunate sigma folds like Σ: once normalised, stays so
		{"ꭵᏣ", "ꭵꮳ"},           // Cherokee, which folds to capitals: lower case, so normalising again keeps it
		{"\xf4Ȭ", "o"},         // broken UTF-8 is a space; the rest still loses its accents
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWordMatch(t *testing.T) {
	tests := []struct {
		word, keyword string
		match         bool
	}{
		{"telefonnummer", "telefon", true}, // stem
		{"telfon", "telefon", true},        // a letter missing
		{"telefno", "telefon", true},       // swapped letters
		{"telefonummer", "telefon", true},  // typo inside a longer word
		{"hilfe", "hi", false},             // short keywords match whole words only
		{"hi", "hi", true},
		{"termin", "termine", true}, // cut short by one letter
		{"xyzabc", "telefon", false},
		{"hlep", "help", true}, // two letters of a short word swapped
		{"yuo", "you", true},
		{"ouy", "you", false}, // but the first letter stays
		{"hepl", "hel", false},
		{"hi", "ih", false},
	}
	for _, tt := range tests {
		got := wordMatch([]rune(tt.word), []rune(tt.keyword)) > 0
		if got != tt.match {
			t.Errorf("wordMatch(%q, %q) = %v, want %v", tt.word, tt.keyword, got, tt.match)
		}
	}
}

// keywordsOnly is the keyword stage alone for words made up for a test:
// the second stage learns what real residents write with the real words,
// and has nothing to say about a made-up language.
func keywordsOnly(words map[string]Words) *Classifier { return newKeywords(words, nil) }

// Other spellings of one word reach the same keywords.
func TestVariants(t *testing.T) {
	tests := []struct{ text, keyword string }{
		{"oeffnungszeiten", "öffnungszeiten"}, // umlaut typed as oe
		{"fuer", "für"},
		{"می‌تونم", "میتونم"}, // Persian mi- apart (zero-width non-joiner) or together
		{"می تونم", "میتونم"},
		{"میتونم", "میتونم"},
		{"voluunteer", "volunteer"}, // a vowel key pressed twice
		{"nuumaranız", "numara"},
		{"hilfeeee", "hilfe"},
		{"عالمكتب", "مكتب"},   // Levantine "على المكتب" written as one word
		{"هالاسبوع", "اسبوع"}, // "this week", Levantine
		{"chawa", "çawa"},     // ç and ş typed as ch and sh on an English keyboard
		{"shemiye", "şemî"},
		{"shedinta", "ședința"},
	}
	for _, tt := range tests {
		c := keywordsOnly(map[string]Words{"x": {Help: {tt.keyword}}})
		if got := c.Classify(tt.text, "x"); got.Intent != Help {
			t.Errorf("%q does not reach the keyword %q", tt.text, tt.keyword)
		}
	}
}

// A greeting or a thank-you with a question is the question; the agency's
// name counts only when nothing else does.
func TestSocialWordsAndTheNameYieldToTheQuestion(t *testing.T) {
	c := keywordsOnly(map[string]Words{"x": {Greeting: {"guten tag"}, Thanks: {"danke"}, Contacts: {"telefon"}, Agency: {"integrationsagentur"}}})
	tests := []struct {
		text string
		want Intent
	}{
		{"guten tag", Greeting},
		{"guten tag, telefonnummer bitte", Contacts},
		{"danke, und die telefonnummer?", Contacts},
		{"telefonnumer der integrationsagentur", Contacts},
		{"integrationsagentur?", Services},
	}
	for _, tt := range tests {
		if got := c.Classify(tt.text, "x"); got.Intent != tt.want {
			t.Errorf("%q → %q, want %q", tt.text, got.Intent, tt.want)
		}
	}
}

// near gives the same answer as the full distance for one edit.
func TestNearAgreesWithDistance(t *testing.T) {
	words := []string{"", "a", "ab", "ba", "abc", "acb", "bac", "abd", "abcd", "abdc", "telefon", "telfon", "tlefon", "etlefon", "telefno", "telefonn", "hilfe", "hlife", "hilef", "хилфе", "wann", "wenn"}
	for _, a := range words {
		for _, b := range words {
			want := distance([]rune(a), []rune(b), 1) <= 1
			if got := near([]rune(a), []rune(b), 1); got != want {
				t.Errorf("near(%q, %q) = %v, distance says %v", a, b, got, want)
			}
		}
	}
}

// "What can I do?" after a service's topic asks about that service.
func TestTopicOutweighsAVagueHelpPhrase(t *testing.T) {
	c := New(map[string]Words{"x": {Help: {"was kann ich tun", "hilfe"}}}, map[string]map[string][]string{"antiracism": {"x": {"diskriminierung"}}})
	if got := c.Classify("ich erlebe diskriminierung, was kann ich tun", "x"); got.Service != "antiracism" {
		t.Errorf("got %+v, want the anti-racism service", got)
	}
	if got := c.Classify("was kann ich tun", "x"); got.Intent != Help {
		t.Errorf("got %+v, want help", got)
	}
}

// A word the language's keywords use for one thing is not read as a typo
// of a keyword for another: Kurmanji "dixwazim" (I want) is one letter
// from "dilxwaz" (volunteer), and stood in almost every request.
func TestAKnownWordIsNotATypoOfAnother(t *testing.T) {
	c := New(map[string]Words{"x": {
		Services: {"dilxwaz"},
		Contacts: {"randevû dixwazim"},
		Help:     {"activity", "activities are"},
	}}, nil)
	if got := c.Classify("ez dixwazim", "x"); got.Intent == Services {
		t.Errorf("ez dixwazim → %q, want it not read as dilxwaz", got.Intent)
	}
	if got := c.Classify("dilxwas", "x"); got.Intent != Services {
		t.Errorf("dilxwas → %q, want the typo of dilxwaz", got.Intent)
	}
	if got := c.Classify("activities", "x"); got.Intent != Help {
		t.Errorf("activities → %q, want a word of the same intent still matched as a typo", got.Intent)
	}
}
