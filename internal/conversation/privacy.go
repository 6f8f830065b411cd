package conversation

// The privacy notice: what the bot stores, why, how long, who is
// responsible and how to delete it, in the resident's language. Its full
// text is one tap away (/privacy, 🔒 in the main menu); a resident's first
// contact gets one short line that points there.

// WithPrivacyContact returns a core whose privacy text names contact (the
// operator's PRIVACY_CONTACT, shown as it is) as responsible for the data;
// empty: the agency as the content names it. The receiver is unchanged.
func (c *Core) WithPrivacyContact(contact string) *Core {
	cc := *c
	cc.privacyContact = contact
	return &cc
}

// privacy shows the full notice, split into paragraphs, with the delete
// button.
func (t *turn) privacy() {
	t.say(paragraphs(
		bold(t.tr("menu.privacy")),
		t.html("privacy.text"),
		t.html("privacy.why"),
		t.howLong(),
		t.responsible(),
		t.html("privacy.delete"),
	), [][]Button{{{Label: "🗑 " + t.tr("button.delete_data"), Data: dataDelete}}, {t.menuButton()}})
}

// responsible names who is responsible for the data: the operator's
// words when given, else the agency and its provider from the content,
// never contact details the content does not hold.
func (t *turn) responsible() string {
	if t.privacyContact != "" {
		return esc(t.cat.Format(t.lang, "privacy.responsible", map[string]any{"Contact": t.privacyContact}))
	}
	a := t.content.Agency
	return esc(t.cat.Format(t.lang, "privacy.responsible_agency", map[string]any{"Agency": a.Name.In(t.lang), "Provider": a.Provider}))
}

// privacyShort is the line a resident's first contact gets: little is
// stored, and where the rest is said.
func (t *turn) privacyShort() string {
	return esc(t.cat.Format(t.lang, "start.privacy_short", map[string]any{"Button": t.tr("menu.privacy")}))
}

// firstContact tells whether nothing is stored about the resident in this
// chat: no language chosen, no screen shown, nothing followed.
func firstContact(st State) bool {
	return st.Lang == "" && st.Screen == "" && len(st.Choices) == 0 && st.Dialogue == nil && len(st.Subs) == 0
}
