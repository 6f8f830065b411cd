package conversation

// services is a first answer: one line and a button per service, so that it
// fits a small phone; each service's text is one tap away.
func (t *turn) services() {
	var rows [][]Button
	for _, s := range t.content.Services {
		rows = append(rows, []Button{{Label: s.Title.In(t.lang), Data: dataService + s.ID}})
	}
	rows = append(rows, []Button{t.screenButton("ℹ️", "about.title", screenAbout), t.menuButton()})
	t.say(bold(t.tr("services.title"))+"\n"+t.html("services.pick"), rows)
}

func (t *turn) service(id string) {
	s, ok := t.content.Service(id)
	if !ok {
		t.services() // the service is gone from the content: show what there is
		return
	}
	t.say(paragraphs(bold(s.Title.In(t.lang)), esc(s.Short.In(t.lang)), esc(s.Long.In(t.lang)), t.html("service.ask")), [][]Button{
		{t.screenButton("☎️", "menu.contacts", screenContacts)},
		{t.backButton(screenServices), t.menuButton()},
	})
	t.out.State.Screen = screenServices
}

func (t *turn) about() {
	a := t.content.Agency
	t.say(paragraphs(bold(a.Name.In(t.lang)), esc(a.About.In(t.lang))), [][]Button{
		{t.screenButton("📋", "menu.services", screenServices), t.screenButton("☎️", "menu.contacts", screenContacts)},
		{t.menuButton()},
	})
}
