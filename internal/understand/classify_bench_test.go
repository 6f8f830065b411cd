package understand_test

import "testing"

// benchMessages are typical messages: questions a keyword answers, typos
// the model reviews, and messages no keyword matches, which the model
// judges alone.
var benchMessages = []struct{ text, lang string }{
	{"Wie ist die Telefonnummer?", "de"}, {"wann ist das nächste treffen", "de"},
	{"telefonnumer bitte", "de"}, {"Wie wird das Wetter morgen?", "de"},
	{"What do you offer?", "en"}, {"who can i cal", "en"}, {"my cat is sleeping on the sofa", "en"},
	{"telefon numaranız nedir", "tr"}, {"bu hafta ne var", "tr"},
	{"ما هو رقم الهاتف؟", "ar"}, {"شو في هالاسبوع", "ar"},
	{"شماره تلفن شما چیست؟", "fa"}, {"hejmara telefonê çi ye", "ku"},
	{"Який у вас номер телефону?", "uk"}, {"что вы предлагаете", "ru"}, {"Спартак опять проиграл", "ru"},
	{"jaki jest numer telefonu", "pl"}, {"ce oferiti", "ro"}, {"кога е следващата среща", "bg"},
	{"xqzv blorp", "de"},
}

// BenchmarkClassify measures the classifier alone, both stages.
func BenchmarkClassify(b *testing.B) {
	nlu, _ := classifier(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := benchMessages[i%len(benchMessages)]
		nlu.Classify(m.text, m.lang)
	}
}
