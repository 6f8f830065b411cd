package conversation

import "time"

// Retention: the data of a resident who has not written for the retention
// period (RETENTION) is deleted. One who follows something is told once, a
// few weeks before, on which day, with a button to stay; tapping it (or
// writing anything) is an update like any other, which renews their data.

const dataStay = "stay" // the warning's "I want to stay"

// defaultRetentionDays is what the privacy text says without WithRetentionDays.
const defaultRetentionDays = 365

// defaultQuestionDays is what the privacy text says without WithQuestionDays.
const defaultQuestionDays = 30

// WithRetentionDays returns a core whose privacy text says that data is
// kept days after the last message (RETENTION). The receiver is unchanged.
func (c *Core) WithRetentionDays(days int) *Core {
	cc := *c
	cc.retentionDays = days
	return &cc
}

// WithQuestionDays returns a core whose privacy text says that a question
// passed on to staff is kept days (HANDOFF_RETENTION). The receiver is
// unchanged.
func (c *Core) WithQuestionDays(days int) *Core {
	cc := *c
	cc.questionDays = days
	return &cc
}

func (c *Core) questionKeptDays() int {
	if c.questionDays <= 0 {
		return defaultQuestionDays
	}
	return c.questionDays
}

func (c *Core) keptDays() int {
	if c.retentionDays <= 0 {
		return defaultRetentionDays
	}
	return c.retentionDays
}

// howLong is the privacy text's paragraph on how long data is kept.
func (t *turn) howLong() string {
	period := t.cat.Plural(t.lang, "privacy.days", t.keptDays(), nil)
	questions := t.cat.Plural(t.lang, "privacy.days", t.questionKeptDays(), nil)
	return esc(t.cat.Format(t.lang, "privacy.how_long", map[string]any{"Period": period, "Questions": questions}))
}

// RetentionWarning is the one message a resident who follows something
// gets before their data is deleted at deleteAt, in the language they
// read, naming the local day; false when they follow nothing (they are
// deleted without a message).
func (c *Core) RetentionWarning(user int64, st State, deleteAt, now time.Time) (Message, bool) {
	if len(st.Subs) == 0 {
		return Message{}, false
	}
	t := &turn{Core: c, ev: Event{UserID: user, ChatID: user, Now: now}}
	t.setLang(st.Lang)
	if t.lang == "" {
		t.setLang(c.cat.Default())
	}
	date := t.cat.Date(t.lang, deleteAt.In(c.content.Location))
	text := "⏳ " + esc(t.cat.Format(t.lang, "retention.warning", map[string]any{"Date": date}))
	rows := [][]Button{{{Label: "🙋 " + t.tr("button.stay"), Data: dataStay}}}
	return Message{Chat: user, Lane: LaneBulk, Text: t.dir(text), Buttons: rows}, true
}

// stay answers the warning's button: the update itself renewed their data.
// Tapped on an old warning after the deletion, nothing of theirs is left
// to stay: they are welcomed as at /start.
func (t *turn) stay() {
	if t.first {
		t.command("start", "")
		return
	}
	t.say(t.html("retention.stayed"), nil)
}
