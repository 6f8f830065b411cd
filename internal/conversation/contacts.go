package conversation

import "strings"

// contacts lists whom to call in one message: Telegram makes the numbers,
// written in international form, tappable. Contact cards cost one message
// each against Telegram's limit for the whole bot, so they come only when
// the resident asks for them, to save them to the phone book.
func (t *turn) contacts() {
	blocks := []string{bold(t.tr("contacts.title"))}
	for _, c := range t.content.Contacts {
		blocks = append(blocks, bold(c.Name)+"\n"+esc(c.Role.In(t.lang))+"\n☎️ "+ltr(t.rtl, esc(international(c.Phone, c.Dial))))
	}
	blocks = append(blocks, t.html("contacts.tap"))
	rows := [][]Button{
		{{Label: "📇 " + t.tr("button.save_contacts"), Data: dataCards}},
		{t.screenButton("📅", "menu.encounters", screenEncounters), t.menuButton()},
	}
	if t.handoffOn() { // asking for a person: they may also write to the team here
		rows = append([][]Button{{t.askButton()}}, rows...)
	}
	t.say(paragraphs(blocks...), rows)
	t.out.State.Screen = screenContacts
}

// cards sends a contact card per person, the menu under the last one.
func (t *turn) cards() {
	for _, c := range t.content.Contacts {
		t.out.Messages = append(t.out.Messages, Message{Contact: &Contact{Name: c.Name, Phone: c.Dial}})
	}
	buttons := [][]Button{{t.screenButton("📅", "menu.encounters", screenEncounters), t.menuButton()}}
	if len(t.out.Messages) == 0 {
		t.contacts()
		return
	}
	t.out.Messages[len(t.out.Messages)-1].Buttons = buttons
	t.remember(buttons)
}

// international writes a German number as "+49 2361 30295140": the form
// Telegram recognises as a phone number in every country, with the
// grouping the agency wrote. dial is the E.164 form, for anything else.
func international(written, dial string) string {
	w := strings.TrimSpace(written)
	if !strings.HasPrefix(w, "0") || strings.HasPrefix(w, "00") {
		return dial
	}
	groups := strings.FieldsFunc(w[1:], func(r rune) bool { return r == ' ' || r == '-' || r == '/' || r == '(' || r == ')' || r == '.' })
	return "+49 " + strings.Join(groups, " ")
}
