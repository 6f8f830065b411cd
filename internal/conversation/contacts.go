package conversation

// contacts lists whom to call and adds a contact card per person: tapping it
// calls, and it can be saved to the phone book.
func (t *turn) contacts() {
	blocks := []string{bold(t.tr("contacts.title"))}
	for _, c := range t.content.Contacts {
		blocks = append(blocks, bold(c.Name)+"\n"+esc(c.Role.In(t.lang))+"\n☎️ "+ltr(t.rtl, esc(c.Phone)))
	}
	blocks = append(blocks, t.html("contacts.tap"))
	t.out.Replies = append(t.out.Replies, Reply{Text: t.dir(paragraphs(blocks...))})
	for _, c := range t.content.Contacts {
		t.out.Replies = append(t.out.Replies, Reply{Contact: &Contact{Name: c.Name, Phone: c.Dial}})
	}
	// the menu goes under the last card, so that it is at hand after the numbers
	buttons := [][]Button{{t.screenButton("📅", "menu.encounters", screenEncounters), t.menuButton()}}
	last := &t.out.Replies[len(t.out.Replies)-1]
	last.Buttons = buttons
	t.remember(buttons)
}
