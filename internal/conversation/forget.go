package conversation

// Deleting a resident's data asks once, in the chat where it was asked for:
// /forget and the privacy screen's delete button show the question, and only
// its "yes" pressed (or its number typed) on that chat's screen deletes.

const (
	screenForget  = "forget"  // delete everything? (one confirmation)
	dataDeleteYes = "del:yes" // the confirmation's "yes"
)

// askForget shows the one question before a deletion.
func (t *turn) askForget() {
	t.say(t.html("forget.confirm"), [][]Button{
		{{Label: "🗑 " + t.tr("button.yes_delete"), Data: dataDeleteYes}},
		{t.screenButton("⬅️", "button.no_keep_data", screenPrivacy)},
	})
	t.out.State.Screen = screenForget
}

// forget deletes everything stored about the resident, if this chat's last
// screen was the question; a "yes" from an older message, another chat or
// another resident's question asks again.
func (t *turn) forget() {
	if t.out.State.Screen != screenForget {
		t.askForget()
		return
	}
	t.out.Effects = append(t.out.Effects, ForgetResident{UserID: t.ev.UserID})
	t.out.State = State{}
	t.say(t.html("privacy.deleted"), t.mainButtons())
}
