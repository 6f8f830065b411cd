package conversation_test

import (
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// mixedQuestions are typical messages in all twelve languages: questions for
// contacts, services, encounters and help, typos, commands and buttons.
var mixedQuestions = []conversation.Event{
	text("de", "Wie ist die Telefonnummer?"), text("de", "wann ist das nächste treffen"),
	text("de", "Ich möchte mich ehrenamtlich engagieren"), cmd("de", "start"),
	text("en", "What do you offer?"), text("en", "who can i call"), press("en", "m:contacts"),
	text("tr", "telefon numaranız nedir"), text("tr", "bu hafta buluşma var mı"),
	text("ar", "ما هو رقم الهاتف؟"), text("ar", "متى اللقاء القادم"),
	text("fa", "شماره تلفن شما چیست؟"), text("fa", "جلسه بعدی کی است"),
	text("ku", "hejmara telefonê çi ye"), text("ku", "civîna din kengî ye"),
	text("uk", "Який у вас номер телефону?"), text("uk", "коли наступна зустріч"),
	text("ru", "какой у вас номер телефона"), text("ru", "что вы предлагаете"),
	text("pl", "jaki jest numer telefonu"), text("pl", "kiedy jest następne spotkanie"),
	text("ro", "care este numarul de telefon"), text("ro", "ce oferiti"),
	text("bg", "какъв е телефонният номер"), text("bg", "кога е следващата среща"),
	press("de", "e:sample-cafe"), text("de", "hilfe"), text("de", "xqzv blorp"),
}

// BenchmarkAnswer measures the core answering the mixed questions (no I/O):
// answers per second and allocations per answer.
func BenchmarkAnswer(b *testing.B) {
	f := load(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev := mixedQuestions[i%len(mixedQuestions)]
		out := f.core.Handle(ev, conversation.State{})
		if len(out.Messages) == 0 {
			b.Fatal("no answer")
		}
	}
}
