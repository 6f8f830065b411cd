// Package decide handles one event from start to commit: it claims the
// update, lets the conversation core decide with the state of that chat,
// renders the messages and commits state, messages and the update's end to
// Redis in one step. Only then may the adapter confirm the update to
// Telegram; the delivery workers send what was committed. A retried update is
// never decided again: its claim says it is done.
//
// It also keeps the flood limit: the claim counts a resident's updates in
// their chat (in Redis, so that all replicas share the count), and the
// first update over the limit is answered with one kind request to slow
// down instead of by the core; the rest of the window is committed without
// an answer. Either way the update is confirmed, so that nothing stalls.
// With Redis away nothing is counted: the count lives only there.
package decide

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/broadcast"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// Store keeps claims, state and the committed messages (store.Store).
type Store interface {
	Claim(ctx context.Context, r store.UpdateRef, lock bool) (store.Claimed, error)
	Commit(ctx context.Context, c store.Commit, now time.Time) error
	Release(ctx context.Context, c store.Claimed) error
	CreateBroadcast(ctx context.Context, b store.Broadcast) (bool, error)
	RecentBroadcasts(ctx context.Context, n int64) ([]store.Broadcast, error)
	Followers(ctx context.Context, topic string, cursor uint64, count int64) ([]int64, uint64, error)
	Recipients(ctx context.Context, ids []int64) ([]store.Recipient, error)
	TransitionBroadcast(ctx context.Context, id, to string, now time.Time) (string, error)
	// Thread is the resident a question in the staff group came from, by
	// the message id it was sent with.
	Thread(ctx context.Context, chat int64, messageID int) (conversation.Thread, bool, error)
	// ThreadState is a resident's thread by its id: on its way, in the
	// group, or closed.
	ThreadState(ctx context.Context, chat, resident int64, id string) (conversation.Thread, error)
	OpenThread(ctx context.Context, chat, resident int64, id string) error
	CloseThread(ctx context.Context, chat, resident int64, id string) error
	// Asked is how many questions the resident passed on this hour,
	// FollowUps how many follow-ups they wrote.
	Asked(ctx context.Context, resident int64) (int, error)
	FollowUps(ctx context.Context, resident int64) (int, error)
	CountFollowUp(ctx context.Context, resident int64) error
}

// Outbox is the way out (deliver.Deliverer): Wake after a commit, Direct
// while Redis is away.
type Outbox interface {
	Wake()
	Direct(ctx context.Context, chat int64, payloads [][]byte) error
}

// Renderer turns a message into the payloads to commit (telegram.Render).
type Renderer func(conversation.Message) [][]byte

// Update is one event to handle, with where it belongs.
type Update struct {
	ID     int64 // unique per bot: Telegram's update_id
	Chat   int64 // the chat it belongs to
	User   int64 // its sender
	Event  conversation.Event
	Answer bool // false: nothing to decide; only mark it done
}

// Result is what Handle did.
type Result int

// The results.
const (
	Committed Result = iota // decided and committed: confirm it
	Duplicate               // committed before (or by another process): confirm it
	Direct                  // Redis is away: answered at once without it
	Flooded                 // over the sender's flood limit: committed without the core (slowed down once, then silent): confirm it
)

// ErrBusy means another process is handling the update now; ErrChatBusy
// that another replica is handling an earlier update of the same chat.
var (
	ErrBusy     = errors.New("update is being handled by another process")
	ErrChatBusy = errors.New("the chat's previous update is being handled")
)

// Decider runs the core for each update and commits its decision.
type Decider struct {
	core   atomic.Pointer[conversation.Core] // swapped when the content is reloaded
	cat    *i18n.Catalog
	store  Store
	out    Outbox
	render Renderer
	cache  *cache
	flood  int // updates a resident may send in a flood window; 0: no limit
	staff  Staff
	log    *slog.Logger
	m      *metrics.Metrics
}

// New returns a decider. flood is how many updates a resident may send in
// a flood window (FLOOD_LIMIT); 0 counts none. staff are the staff's tools
// beyond the core and the store.
func New(core *conversation.Core, cat *i18n.Catalog, s Store, out Outbox, render Renderer, flood int, staff Staff, log *slog.Logger, m *metrics.Metrics) *Decider {
	d := &Decider{cat: cat, store: s, out: out, render: render, cache: newCache(10_000), flood: flood, staff: staff, log: log, m: m}
	d.core.Store(core)
	return d
}

// Staff are the staff menu's tools that live beyond the core and the
// store; the wiring provides them (nil: that tool is not available, and
// staff are told so kindly).
type Staff struct {
	// QR is the deep link of a /start payload and the PNG of its QR code.
	QR func(payload string) (link string, png []byte, err error)
	// Reload checks the content folder and loads it if it is sound.
	Reload func() conversation.Reloaded
	// Stats counts the figures at now.
	Stats func(ctx context.Context, now time.Time) (conversation.Figures, error)
	// Encounters keeps the encounters staff edit in Telegram.
	Encounters EncounterBook
}

// SetCore makes later events answered by core (new content); events being
// decided finish with the one they began with.
func (d *Decider) SetCore(core *conversation.Core) { d.core.Store(core) }

// Handle claims, decides and commits u. With lock (webhook replicas) the
// chat's lock is taken too. A Redis that does not answer the claim gets an
// answer sent at once (Direct); an error is one that a retry may mend.
func (d *Decider) Handle(ctx context.Context, u Update, lock bool) (Result, error) {
	ref := store.UpdateRef{ID: u.ID, Chat: u.Chat, User: u.User, Count: d.counts(u)}
	c, err := d.store.Claim(ctx, ref, lock)
	if err != nil {
		if ctx.Err() != nil {
			return 0, err
		}
		d.m.RedisError("claim_update")
		d.log.Warn("redis unavailable: answering without it", "update_id", u.ID, "err", err)
		return d.Answer(ctx, u)
	}
	switch c.Claim {
	case store.Done:
		return Duplicate, nil
	case store.Busy:
		return 0, ErrBusy
	case store.ChatBusy:
		return 0, ErrChatBusy
	}
	commit := store.Commit{Claimed: c}
	var dec conversation.Decision
	over := d.over(c.Recent)
	switch {
	case !u.Answer:
	case over == 1: // the first over the limit: one kind word, no answer
		commit.Messages = d.outgoing(u, d.slowDown(u, c.State))
		d.log.Info("a resident writes faster than the flood limit: asked to slow down; silent for the rest of the window", "update_id", u.ID, "limit", d.flood)
	case over > 1:
		commit.Silenced = true
	default:
		if err := d.thread(ctx, &u, c.State); err != nil {
			_ = d.store.Release(ctx, c)
			return 0, fmt.Errorf("update %d: %w", u.ID, err)
		}
		dec = d.decide(u, c.State)
		commit.Messages = d.outgoing(u, dec)
		commit.Tally = dec.Tally
		switch {
		case dec.Forgets():
			commit.Forget = true
			commit.Unfollow = c.State.Subs // the index forgets them too
		case dec.Save:
			commit.State = &dec.State
		}
		if !dec.Forgets() {
			commit.Follow, commit.Unfollow = follows(dec.Effects)
		}
	}
	if u.Answer && over == 0 { // a flooded update has no decision, so no effects
		// Effects on other keys first, each idempotent by its id: should the
		// commit fail, the retried update decides the same and repeats them
		// harmlessly; once committed, they are durable.
		more, err := d.effects(ctx, u, &dec)
		if err != nil {
			_ = d.store.Release(ctx, c)
			return 0, fmt.Errorf("update %d: %w", u.ID, err)
		}
		commit.Messages = append(commit.Messages, more...)
		if dec.Save && !dec.Forgets() {
			commit.State = &dec.State // an effect's outcome may change it (a refused save keeps the draft)
		}
	}
	err = d.store.Commit(ctx, commit, u.Event.Now)
	if errors.Is(err, store.ErrLost) {
		d.log.Warn("update taken over by another process while deciding; its decision counts", "update_id", u.ID)
		return Duplicate, nil
	}
	if err != nil {
		d.m.RedisError("commit")
		_ = d.store.Release(ctx, c)
		return 0, fmt.Errorf("update %d: %w", u.ID, err)
	}
	if len(commit.Messages) > 0 {
		d.out.Wake()
	}
	if over > 0 {
		return Flooded, nil
	}
	if u.Answer {
		d.cache.put(u.Chat, u.User, dec.State, dec.Forgets())
	}
	return Committed, nil
}

// thread looks up what the core needs of the hand-off before it decides:
// the resident a staff reply (or Close) in the staff group concerns, a
// resident's own thread they write to or withdraw, and for a Send how many
// questions they passed on this hour. A message that is no thread's finds
// a closed one.
func (d *Decider) thread(ctx context.Context, u *Update, st conversation.State) error {
	core := d.core.Load()
	if !u.Answer || core.StaffChat() == 0 {
		return nil
	}
	ev := &u.Event
	if msg, ok := core.StaffThreadMessage(*ev); ok {
		th, found, err := d.store.Thread(ctx, core.StaffChat(), msg)
		if err != nil {
			d.m.RedisError("thread")
			return err
		}
		if !found {
			th = conversation.Thread{Closed: true}
		}
		ev.Thread = &th
	} else if id, ok := core.ThreadFor(*ev, st); ok {
		th, err := d.store.ThreadState(ctx, core.StaffChat(), ev.UserID, id)
		if err == nil && ev.Kind == conversation.KindText {
			ev.FollowUps, err = d.store.FollowUps(ctx, ev.UserID)
		}
		if err != nil {
			d.m.RedisError("thread")
			return err
		}
		ev.Thread = &th
	}
	if core.CountsQuestion(*ev) {
		n, err := d.store.Asked(ctx, ev.UserID)
		if err != nil {
			d.m.RedisError("thread")
			return err
		}
		ev.Asked = n
	}
	return nil
}

// counts tells whether u counts against its sender's flood limit: staff
// are never slowed down, and what the bot ignores anyway (group members
// talking among themselves, edits, member updates) costs nothing.
func (d *Decider) counts(u Update) bool {
	return d.flood > 0 && u.Answer && u.User != 0 && u.Event.Role != conversation.RoleStaff && conversation.Addressed(u.Event)
}

// over is how far past the flood limit the recent'th update of a window is
// (0: within it).
func (d *Decider) over(recent int) int {
	if d.flood <= 0 || recent <= d.flood {
		return 0
	}
	return recent - d.flood
}

// slowDown is the one message a flooding resident gets, in their language.
func (d *Decider) slowDown(u Update, st conversation.State) conversation.Decision {
	return conversation.Decision{Messages: []conversation.Message{{Chat: u.Chat, Text: esc(d.cat.T(d.lang(u, st), "flood.slow_down"))}}}
}

// lang is the language to speak to the sender in without asking the core:
// the one they chose, or their app's, or the default.
func (d *Decider) lang(u Update, st conversation.State) string {
	if st.Lang != "" {
		return st.Lang
	}
	if lang, ok := d.cat.Match(u.Event.LanguageCode); ok {
		return lang
	}
	return d.cat.Default()
}

// Answer decides u without Redis and sends the answer at once: for a Redis
// that is away, and for an update whose commit failed too often. The state
// comes from what this process remembers of the chat; a choice cannot be
// kept meanwhile, and the resident is told so kindly; a deletion is never
// claimed.
func (d *Decider) Answer(ctx context.Context, u Update) (Result, error) {
	if !u.Answer {
		return Direct, nil
	}
	st, _ := d.cache.get(u.Chat, u.User)
	dec := d.decide(u, st)
	switch {
	case dec.Forgets(), opensThread(dec): // a deletion or a question to staff that cannot be kept now is never claimed
		last := dec.Messages[len(dec.Messages)-1]
		dec.Messages = []conversation.Message{{Chat: last.Chat, Text: esc(d.cat.T(dec.Lang, "error.generic")), Buttons: last.Buttons}}
	case dec.State.Lang != st.Lang, !slices.Equal(dec.State.Subs, st.Subs): // a choice that cannot be kept now
		dec.Messages = append(dec.Messages, conversation.Message{Text: esc(d.cat.T(dec.Lang, "error.not_saved"))})
	}
	for _, m := range dec.Messages {
		chat := m.Chat
		if chat == 0 {
			chat = u.Chat
		}
		if err := d.out.Direct(ctx, chat, d.render(m)); err != nil {
			return Direct, fmt.Errorf("update %d: answer without redis: %w", u.ID, err)
		}
	}
	return Direct, nil
}

// decide runs the core. A panic is recovered and logged with the update id
// (never the text); the resident gets a kind error message instead.
func (d *Decider) decide(u Update, st conversation.State) (dec conversation.Decision) {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("core panicked", "update_id", u.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			d.m.Update(metrics.KindOther, metrics.OutcomePanicked)
			lang := d.lang(u, st)
			dec = conversation.Decision{State: st, Lang: lang, Messages: []conversation.Message{{Chat: u.Chat, Text: esc(d.cat.T(lang, "error.generic"))}}}
		}
	}()
	return d.core.Load().Handle(u.Event, st)
}

// opensThread tells whether a decision passes a question to staff: its
// thread lives in Redis, so without Redis it cannot go.
func opensThread(dec conversation.Decision) bool {
	for _, m := range dec.Messages {
		if m.Thread != nil || m.FollowUp != nil {
			return true
		}
	}
	return false
}

// outgoing renders a decision's messages, each with an id unique to the
// update and its place, so that a retried push is recognised; a message
// with a key has an id from it instead, the same for every update that
// sends it. A question to staff is recorded as its thread once sent.
func (d *Decider) outgoing(u Update, dec conversation.Decision, from ...int) []store.Outgoing {
	var out []store.Outgoing
	base := 0
	if len(from) > 0 {
		base = 1000 + from[0] // after the decision's own messages: ids stay unique within the update
	}
	for _, m := range dec.Messages {
		chat := m.Chat
		if chat == 0 {
			chat = u.Chat
		}
		record := m.Record
		switch {
		case m.Thread != nil:
			record = store.ThreadRecord(*m.Thread)
		case m.FollowUp != nil:
			record = store.FollowRecord(*m.FollowUp)
		}
		for i, p := range d.render(m) {
			id := fmt.Sprintf("%d.%d", u.ID, base+len(out))
			if m.Key != "" {
				id = fmt.Sprintf("%s.%d", m.Key, i)
			}
			out = append(out, store.Outgoing{ID: id, Chat: chat, Lane: m.Lane, Payload: p, Record: record})
		}
	}
	return out
}

// follows reads the topics a decision starts and stops following.
func follows(effects []conversation.Effect) (follow, unfollow []string) {
	for _, e := range effects {
		switch e := e.(type) {
		case conversation.Subscribe:
			follow = append(follow, e.Topic)
		case conversation.Unsubscribe:
			unfollow = append(unfollow, e.Topic)
		}
	}
	return follow, unfollow
}

// effects applies a decision's effects that live beyond the chat's own
// keys, and returns the messages that say what became of them.
func (d *Decider) effects(ctx context.Context, u Update, dec *conversation.Decision) ([]store.Outgoing, error) {
	var out []conversation.Message
	for _, e := range dec.Effects {
		switch e := e.(type) {
		case conversation.StartBroadcast:
			b := store.Broadcast{ID: e.ID, Staff: e.Staff, Created: u.Event.Now, Due: u.Event.Now, Topic: e.Topic, Lang: e.Lang, Text: e.Text,
				Main: e.Main, Versions: e.Versions, Fallback: e.Fallback}
			if e.Media != nil {
				b.Media = e.Media.Kind + ":" + e.Media.FileID
			}
			if e.Due.After(b.Due) {
				b.Due = e.Due // scheduled
			}
			if _, err := d.store.CreateBroadcast(ctx, b); err != nil {
				return nil, err
			}
			d.log.Info("broadcast confirmed", "broadcast", e.ID, "staff_id", e.Staff, "topic", e.Topic, "lang", e.Lang)
		case conversation.OpenThread:
			if err := d.store.OpenThread(ctx, d.core.Load().StaffChat(), e.Resident, e.ID); err != nil {
				return nil, err
			}
		case conversation.FollowedUp:
			if err := d.store.CountFollowUp(ctx, e.Resident); err != nil {
				return nil, err
			}
		case conversation.CloseThread:
			if err := d.store.CloseThread(ctx, d.core.Load().StaffChat(), e.Resident, e.ID); err != nil {
				return nil, err
			}
			d.log.Info("question to staff closed", "update_id", u.ID, "by_staff", u.Event.Role == conversation.RoleStaff)
		case conversation.CountAudience:
			counts, err := broadcast.Audience(ctx, d.store, e.Topic, e.Lang)
			if err != nil {
				return nil, err
			}
			out = append(out, d.core.Load().BroadcastAudience(u.Chat, conversation.State{Lang: dec.Lang}, counts))
		case conversation.ListBroadcasts:
			recent, err := d.store.RecentBroadcasts(ctx, 10)
			if err != nil {
				return nil, err
			}
			var list []conversation.BroadcastSummary
			for _, b := range recent {
				list = append(list, conversation.BroadcastSummary{Created: b.Created, Due: b.Due, Topic: b.Topic, Lang: b.Lang, Figures: broadcast.Figures(b, u.Event.Now)})
			}
			out = append(out, d.core.Load().BroadcastList(u.Chat, conversation.State{Lang: dec.Lang}, list, u.Event.Now))
		case conversation.SaveEncounter:
			msgs, err := d.saveEncounter(ctx, u, dec, e)
			if err != nil {
				return nil, err
			}
			out = append(out, msgs...)
		case conversation.ReloadContent:
			r := conversation.Reloaded{Unavailable: true}
			if d.staff.Reload != nil {
				r = d.staff.Reload()
			}
			d.log.Info("content reload asked by staff", "staff_id", u.User, "problems", len(r.Problems))
			out = append(out, d.core.Load().ReloadReport(u.Chat, dec.Lang, r))
		case conversation.ShowStats:
			if d.staff.Stats == nil {
				out = append(out, conversation.Message{Chat: u.Chat, Text: esc(d.cat.T(dec.Lang, "error.generic"))})
				continue
			}
			f, err := d.staff.Stats(ctx, u.Event.Now)
			if err != nil {
				return nil, err // the update is tried again
			}
			out = append(out, d.core.Load().StatsReport(u.Chat, conversation.State{Lang: dec.Lang}, f))
		case conversation.SendQR:
			out = append(out, d.qr(u, dec.Lang, e.Encounter))
		case conversation.ControlBroadcast:
			msg := "broadcast." + e.To
			if _, err := d.store.TransitionBroadcast(ctx, e.ID, e.To, u.Event.Now); errors.Is(err, store.ErrTransition) {
				msg = "broadcast.not_allowed"
			} else if err != nil {
				return nil, err
			} else {
				d.log.Info("broadcast changed", "broadcast", e.ID, "state", e.To, "staff_id", u.User)
			}
			m := conversation.Message{Chat: u.Chat, Text: esc(d.cat.T(dec.Lang, msg))}
			if msg != "broadcast.not_allowed" && e.To != store.BroadcastCancelled {
				m.Buttons = d.core.Load().BroadcastControls(dec.Lang, e.ID, e.To == store.BroadcastPaused)
			}
			out = append(out, m)
		}
	}
	return d.outgoing(u, conversation.Decision{Messages: out}, len(dec.Messages)), nil
}

// saveEncounter applies a save of an encounter and lets the core say what
// became of it; a refused save keeps the staff member's draft in the state.
func (d *Decider) saveEncounter(ctx context.Context, u Update, dec *conversation.Decision, e conversation.SaveEncounter) ([]conversation.Message, error) {
	if d.staff.Encounters == nil {
		return nil, errors.New("save encounter: no encounter book")
	}
	res, err := d.staff.Encounters.Save(ctx, e)
	if err != nil {
		return nil, err
	}
	if res.Saved {
		d.log.Info("encounter saved", "encounter", e.Encounter.ID, "version", res.Version, "change", e.Change, "staff_id", u.User)
	} else {
		d.log.Info("encounter not saved: changed meanwhile", "encounter", e.Encounter.ID, "base", e.Base, "version", res.Version, "staff_id", u.User)
	}
	msgs, st := d.core.Load().EncounterSaveResult(u.Event, dec.State, e, res)
	dec.State, dec.Save = st, true
	return msgs, nil
}

// EncounterBook keeps the encounters staff edit in Telegram (encounters.Book).
type EncounterBook interface {
	Save(ctx context.Context, e conversation.SaveEncounter) (conversation.EncounterSaved, error)
}

// qr is the picture of an encounter's QR code for the staff member who
// asked, or a kind word when it cannot be made now.
func (d *Decider) qr(u Update, lang, encounter string) conversation.Message {
	core, st := d.core.Load(), conversation.State{Lang: lang}
	if d.staff.QR == nil {
		return core.QRFailed(u.Chat, st)
	}
	link, png, err := d.staff.QR(conversation.EncounterLink(encounter, ""))
	if err != nil {
		d.log.Warn("no QR code made", "encounter", encounter, "err", err)
		return core.QRFailed(u.Chat, st)
	}
	return core.QRCode(u.Chat, st, encounter, link, png)
}
