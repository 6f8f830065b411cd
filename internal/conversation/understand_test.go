package conversation_test

import (
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Questions as a neighbour would ask them get the screen a neighbour would
// answer with; what the agency's content does not answer gets the kind
// not-understood answer, never an unrelated screen.
func TestQuestionsUnderstoodAsANeighbourWould(t *testing.T) {
	f := load(t)
	const (
		services   = "s:volunteering"   // the services screen's first button
		contacts   = "+49 151 17466885" // the contacts screen
		encounters = "e:sample-cafe"    // the list of encounters
		pickerTr   = "|l:tr]"           // a language offered
		notKnown   = "fallback"         // the kind not-understood answer
		help       = "help.text"        // the bot's own help
	)
	tests := []struct {
		lang, msg, want string
	}{
		// German courses and opening hours: not in the agency's content
		{"de", "Deutschkurs", notKnown},
		{"de", "Kann ich Deutsch lernen?", notKnown},
		{"de", "wo gibt es einen sprachkurs", notKnown},
		{"tr", "Almanca kursu var mı?", notKnown},
		{"uk", "Курси німецької мови", notKnown},
		{"ru", "где можно выучить немецкий", notKnown},
		{"ar", "دورة اللغة الألمانية", notKnown},
		{"de", "Öffnungszeiten", notKnown},
		{"en", "what are your opening hours", notKnown},
		// what the agency does, not how the bot works
		{"de", "Wie können Sie mir helfen?", services},
		{"de", "Was machen Sie?", services},
		{"de", "Wer seid ihr?", services},
		{"en", "how can you help me?", services},
		{"en", "what do you do?", services},
		{"en", "who are you?", services},
		{"tr", "siz kimsiniz", services},
		{"tr", "bana nasıl yardımcı olabilirsiniz", services},
		{"ar", "من أنتم؟", services},
		{"ar", "كيف يمكنكم مساعدتي", services},
		{"fa", "شما کی هستید؟", services},
		{"ku", "hûn kî ne?", services},
		{"uk", "хто ви?", services},
		{"uk", "чим ви можете мені допомогти", services},
		{"ru", "кто вы такие", services},
		{"pl", "kim jesteście?", services},
		{"pl", "w czym możecie mi pomóc", services},
		{"ro", "cine sunteți?", services},
		{"ro", "cu ce mă puteți ajuta", services},
		{"bg", "кои сте вие?", services},
		{"bg", "с какво можете да ми помогнете", services},
		// the bot's own help stays the bot's own help
		{"en", "how does this bot work?", help},
		{"de", "wie funktioniert das hier", help},
		// what's next / what's on / next week
		{"de", "Was steht an?", encounters},
		{"de", "Was ist nächste Woche?", encounters},
		{"en", "what's next?", encounters},
		{"en", "what's on?", encounters},
		{"en", "anything next week?", encounters},
		{"tr", "sırada ne var", encounters},
		{"tr", "gelecek hafta ne var", encounters},
		{"ar", "ماذا يوجد الأسبوع القادم", encounters},
		{"fa", "هفته بعد چه خبر است", encounters},
		{"ku", "hefteya bê çi heye", encounters},
		{"uk", "що буде наступного тижня", encounters},
		{"ru", "что будет на следующей неделе", encounters},
		{"pl", "co jest w przyszłym tygodniu", encounters},
		{"ro", "ce este săptămâna viitoare", encounters},
		{"bg", "какво има следващата седмица", encounters},
		// a language's name offers that language
		{"de", "Türkçe", pickerTr},
		{"en", "turkish please", pickerTr},
		{"de", "auf Türkisch", pickerTr},
		{"de", "Русский", "|l:ru]"},
		{"de", "auf Arabisch", "|l:ar]"},
		{"de", "Farsi", "|l:fa]"},
		{"de", "Persisch", "|l:fa]"},
		{"en", "kurdish", "|l:ku]"},
		{"de", "einfache Sprache", "|l:de-x-simple]"},
		// the agency's name in a sentence does not outweigh the question
		{"de", "telefonnumer von der integrationsagentur", contacts},
		{"de", "ich will die nummer der integrationsagentur", contacts},
		{"en", "integration agency phone", contacts},
		// one service keeps its own page
		{"en", "I want to volunteer", "bilden Engagierte weiter|Supporting volunteers"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.msg, func(t *testing.T) {
			out := f.core.Handle(text(tt.lang, tt.msg), conversation.State{Lang: tt.lang})
			got := all(out)
			ok := false
			switch tt.want {
			case notKnown:
				ok = strings.Contains(got, f.cat.T(tt.lang, "fallback.text"))
			case help:
				ok = strings.Contains(got, f.cat.T(tt.lang, "help.text"))
			default:
				for _, w := range strings.Split(tt.want, "|") {
					ok = ok || (w != "" && strings.Contains(got, w))
				}
				if strings.HasPrefix(tt.want, "|l:") { // offered first, above the other languages
					want := strings.TrimSuffix(strings.TrimPrefix(tt.want, "|"), "]")
					ok = len(out.Messages) > 0 && len(out.Messages[0].Buttons) > 0 && out.Messages[0].Buttons[0][0].Data == want
				}
			}
			if !ok {
				t.Errorf("%s %q: want %s, got:\n%s", tt.lang, tt.msg, tt.want, got)
			}
		})
	}
}

// Named languages are offered first, also before any language is known.
func TestNamedLanguageIsOfferedFirst(t *testing.T) {
	f := load(t)
	for _, st := range []conversation.State{{}, {Lang: "de"}} {
		out := f.core.Handle(text("", "Farsi"), st)
		if len(out.Messages) == 0 || len(out.Messages[0].Buttons) == 0 || out.Messages[0].Buttons[0][0].Data != "l:fa" {
			t.Errorf("state %+v: Persian not offered first:\n%s", st, all(out))
		}
	}
}
