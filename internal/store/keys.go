// Package store keeps the bot's state in Redis: conversation state, the
// commit of each update's decision, the outgoing queues the delivery workers
// take from, the shared sending limits, and the residents index.
//
// # Key layout
//
// Every key starts with a prefix (default "ib:") so that one Redis can serve
// several bots. The part in braces is a Redis Cluster hash tag. A chat's keys
// share a slot, so that one script commits an update atomically: the tag is
// {u<id>} for a resident's private chat (whose chat id is their user id) and
// {c<id>} for a group. Keys that all replicas share are in the slot {g}.
//
//	key                        type    TTL        holds (personal data)
//	ib:{u<id>}:state           string  R + 7 days the resident's private chat in one record of three lines (record.go): the
//	                                              updates done in the last 25 h (update ids and the minute, as
//	                                              differences: deduplicates webhook retries, re-fetches, replicas;
//	                                              each commit drops the older ones, and an update silenced by the
//	                                              flood limit is not listed), the flood count of the current
//	                                              window (FLOOD_LIMIT; counted when claimed, the window fixed at
//	                                              its first update and dropped once it ended), and the state: JSON
//	                                              of the chosen language, last screen and its button data (for a
//	                                              screen the bot can show again, a menu or a list, only a
//	                                              6-character fingerprint of it), a dialogue in progress, the
//	                                              topics they follow (reminders, news). The Telegram user id is in
//	                                              the key. No names, phone numbers or message texts, but for a
//	                                              question the resident may pass to staff: kept until their next
//	                                              update, which uses or drops it (unused after an hour). The TTL
//	                                              is renewed by every update of theirs; a record without a state
//	                                              lives as long as its done updates (25 h) or its count need.
//	                                              Releases before kept the JSON alone here, the done updates and the
//	                                              count in keys of their own (still honoured until they expire).
//	ib:{c<chat>}:st:<user>     string  R + 7 days the same for one resident in one group: a menu in a group
//	                                              never overwrites their private chat's.
//	ib:<tag>:upd:<update>      string  10 s       the claim token of the process handling the update, deleted at
//	                                              its commit (a dead process's expires: another takes it over).
//	                                              Releases before the done set wrote "done" here for 25 h: still
//	                                              honoured, and deleted by /forget, until they expire.
//	ib:{c<chat>}:done          zset    25 h       a group's updates that are done (member: the update id, score:
//	                                              unix ms when), as a private chat's record lists them. Each commit
//	                                              drops members older than 25 h and renews the TTL. An update
//	                                              silenced by the flood limit is not added. ib:{u<id>}:done, as
//	                                              releases before kept a private chat's, is still read until it
//	                                              expires, and goes with the resident's data (/forget).
//	ib:{c<chat>}:flood:<user>  string  1 minute   how many updates a member sent in the group in the current flood
//	                                              window (FLOOD_LIMIT), counted when claimed, as a private chat's
//	                                              record counts them. The id is in the key; the window is the key's
//	                                              TTL, fixed at its first update: a flood of any length is this one
//	                                              key. Staff and what the bot ignores (group chatter) are not
//	                                              counted. ib:{u<id>}:flood is what releases before wrote.
//	ib:<tag>:lock              string  10 s       the random token of the replica handling an update of this
//	                                              chat (webhook replicas): keeps the chat's updates in order.
//	ib:<tag>:q:r, ib:<tag>:q:b list    25 h       messages committed for the chat, not yet sent: replies and
//	                                              bulk (reminders, broadcasts). Each is "<id>\n<JSON>": the
//	                                              rendered Bot API call, with texts. Popped once sent; the TTL
//	                                              drops what could not be sent for a day.
//	ib:<tag>:sent              hash    25 h       message ids Telegram gave to sent messages a later step
//	                                              needs (field: the name the decision gave it).
//	ib:{c<chat>}:thread:<msg>  string  HANDOFF_   a question or follow-up in the staff group (STAFF_CHAT_ID): "<resident
//	                                   RETENTION  id>:<language>:<thread>" under the message id Telegram gave it, written
//	                                   (30 days)  when it was sent, only while its thread is open, expiring with it; a
//	                                              staff reply to that message is relayed to the resident. No texts: the
//	                                              question is only in the group.
//	ib:{c<chat>}:th:<id>.<t>   hash    the same   one thread t (the id of the offer message whose Send passed it on):
//	                                              "root" the question's message id in the group (0 until sent),
//	                                              "m:<msg>" each message of it. Closing (staff) or withdrawing
//	                                              (the resident) deletes it and its messages' thread keys.
//	ib:{c<chat>}:threads:<id>  set     the same   the message ids of a resident's questions and follow-ups in the staff
//	                                              group and "t<t>" for each thread: deleting the resident's data
//	                                              (/forget) deletes them and their threads; ForgetThreads does it for
//	                                              one group.
//	ib:{u<id>}:asked           string  1 hour     how many questions the resident passed on to staff in the current
//	ib:{u<id>}:followups                          hour (at most 3), and follow-ups they wrote (at most 10); the window
//	                                              is the key's TTL. /forget deletes them.
//	ib:<tag>:dup:<message>     string  25 h       a message committed to this chat by an update of another
//	                                              chat: makes the push idempotent by message id.
//	ib:{u<id>}:gone            string  R + 7 days the resident blocked the bot (403, my_chat_member): bulk
//	                                              messages to them are dropped. Removed when they unblock.
//	ib:{g}:ready:r, :ready:b   zset    none       chats with messages waiting, scored by the unix ms when the
//	                                              chat may next be sent to (or a worker's lease ends). Chat ids.
//	ib:{g}:dirty               set     none       chats whose queue got a message while a worker held them.
//	ib:{g}:pace                zset    seconds    chats sent to a moment ago, by when they may be sent to again;
//	                                              members leave as their time passes.
//	ib:{g}:rate, :rate:b       string  seconds    the next free sending slot of the whole bot (GCRA) and of
//	                                              bulk messages; no personal data.
//	ib:{g}:sent                zset    2 s        one member per message sent in the last second (random
//	                                              tokens), so that no rolling second carries more than
//	                                              SEND_RATE; no personal data.
//	ib:{g}:pause               string  retry_after Telegram asked the bot to slow down (429): all wait.
//	ib:{g}:seen:<b>            zset    none       residents whose id is b modulo 1,024, by the unix second of their
//	                                              last update: the index the retention sweep walks and /stats counts,
//	                                              in sets small enough to stay packed. The sweep deletes a member
//	                                              silent for R with all their data; members older than R + 7 days
//	                                              (no replica swept) go at a heartbeat, a bucket a beat. ib:{g}:seen,
//	                                              the one set older versions wrote, is moved into the buckets by the
//	                                              heartbeats, 1,000 members a beat.
//	ib:{g}:replicas            zset    none       replicas by their last heartbeat (unix ms), so that with Redis
//	                                              away each sends only its share of the rate.
//	ib:{g}:subs:<topic>:<b>    set     none       followers of a topic (news, all, e:<encounter>) whose id is b modulo
//	                                              256: user ids, in sets small enough to stay packed. An index
//	                                              beside the truth, the state's list: added to before the state
//	                                              that lists a topic is committed, removed from after the state
//	                                              that drops it, and by /forget and the sweep; a member whose state is gone or
//	                                              no longer lists the topic is removed when a reminder walks it.
//	ib:{g}:due                 zset    none       jobs any replica may do (reminders, change notices, the retention
//	                                              sweep "retention", broadcasts) by when they
//	                                              are due, or until when the replica doing one holds it (unix ms).
//	                                              Members name an encounter and a date; no personal data.
//	ib:{g}:job:<job>           hash    none       a job's payload (encounter, date, offset) and how far it got (a
//	                                              scan cursor per topic); deleted with the job. No personal data.
//	ib:{g}:plan                hash    none       per encounter, the dates jobs were made for, its title and place:
//	                                              what tells a moved or cancelled date; an encounter whose followers
//	                                              were told it goes keeps one without dates (while it is in the content
//	                                              as cancelled, and 30 days after it left), so that its return is told.
//	                                              No personal data.
//	ib:{g}:enc                 hash    none       encounters staff created in Telegram, by id: "<version>\n<save id>\n<YAML>"
//	                                              in the encounters.yaml format (a deleted one keeps version and save id,
//	                                              no YAML). No personal data: what a poster says (encounters.go).
//	ib:{g}:enc:gen             string  none       counts the changes to {g}:enc, so that every replica reloads them.
//	ib:{g}:content:reloads     string  none       counts the staff's reloads of the content folder, so that every
//	                                              replica loads its folder again (content.go); no personal data.
//	ib:{g}:bc:<id>             hash    90 days    a staff broadcast's record (broadcasts.go): staff id, audience, text,
//	                                              state, counts; no resident's id.
//	ib:{g}:bcs                 zset    none       broadcast ids by when they were made; an expired record's id is
//	                                              removed when the list is read. No personal data.
//	ib:{g}:retention           string  none       the state TTL (seconds) every stored state was last made to live
//	                                              as long as (an upgrade, a RETENTION raised); no personal data.
//	ib:{g}:stats:<yyyymmdd>    hash    35 days    the day's counters of the staff's figures (/stats): questions by
//	                                              topic, questions passed to staff and answered, reminders sent.
//	                                              Counts under fixed names; no personal data.
//	ib:{u<id>}:dup:<job>.<n>   string  ≥ 25 h     a follower's message of a job was committed: once per follower,
//	                                              however often a job is begun again (lives until the job's date).
//	                                              The retention warning's is dup:retention:<last update>.<n>, for
//	                                              RETENTION_WARNING and a day: one warning per silence.
//
// R is RETENTION (default 365 days; config.Timing.StateTTL adds the 7
// days' grace). The retention sweep deletes everything of a resident silent
// for R, as /forget does (Forget); a follower silent R − RETENTION_WARNING
// gets one warning first.
//
// Members of the {g} sets are ids, bounded by the residents seen in R
// (the follower sets by those whose state lists the topic, once a reminder
// walked them). Jobs and plans are bounded by the dates ahead: the horizon
// is the largest reminder offset plus a week (and plans by the encounters
// in the content, or gone from it within 30 days).
//
// # Forgetting a resident
//
// /forget (confirmed) deletes at once, wherever it was asked: in their slot
// {u<id>} the state, gone, sent, flood, asked, followups, the bulk queue, the done set,
// every dup:* and every upd:* an earlier release marked done (a claim in
// flight is another update's); their
// state and flood count in every group, {c<chat>}:st:<id> and
// {c<chat>}:flood:<id>, found by walking the keys; their id in their bucket
// of every {g}:subs:<topic>:<b> and in {g}:seen:<b>. The reply queue that holds the
// confirmation, and the chat's place in {g}:ready:*, :dirty and :pace, go
// once the confirmation is sent (when asked in a group, at once, with what
// was waiting for their private chat). export-user reads the same keys.
package store

import (
	"strconv"
	"time"
)

// UpdateTTL is how long an answered update is remembered (in its chat's
// done set): Telegram keeps undelivered updates for 24 hours, so a retry
// cannot come later.
const UpdateTTL = 25 * time.Hour

// QueueTTL is how long a message waits to be sent at most.
const QueueTTL = 25 * time.Hour

// tag is the hash tag of a chat's keys.
func (s *Store) tag(chat int64) string {
	if chat > 0 { // a private chat's id is its resident's user id
		return s.prefix + "{u" + strconv.FormatInt(chat, 10) + "}"
	}
	return s.prefix + "{c" + strconv.FormatInt(chat, 10) + "}"
}

func (s *Store) stateKey(userID int64) string { return s.tag(userID) + ":state" }

// convKey is the key of a resident's state in a chat.
func (s *Store) convKey(chat, user int64) string {
	if chat == user || chat == 0 {
		return s.stateKey(user)
	}
	return s.tag(chat) + ":st:" + strconv.FormatInt(user, 10)
}

func (s *Store) updateKey(chat, id int64) string {
	return s.tag(chat) + ":upd:" + strconv.FormatInt(id, 10)
}

// doneKey is the set of a chat's updates that are done, by when.
func (s *Store) doneKey(chat int64) string { return s.tag(chat) + ":done" }

// floodKey is the key counting a resident's updates in a chat against the
// flood limit: in a group each member has their own count, so that one
// member's flood never silences the others.
func (s *Store) floodKey(chat, user int64) string {
	if chat == user || chat == 0 {
		return s.tag(user) + ":flood"
	}
	return s.tag(chat) + ":flood:" + strconv.FormatInt(user, 10)
}

func (s *Store) lockKey(chat int64) string           { return s.tag(chat) + ":lock" }
func (s *Store) replyQ(chat int64) string            { return s.tag(chat) + ":q:r" }
func (s *Store) bulkQ(chat int64) string             { return s.tag(chat) + ":q:b" }
func (s *Store) sentKey(chat int64) string           { return s.tag(chat) + ":sent" }
func (s *Store) goneKey(chat int64) string           { return s.tag(chat) + ":gone" }
func (s *Store) dupKey(chat int64, id string) string { return s.tag(chat) + ":dup:" + id }

// threadKey names the resident a question to staff came from, by the
// message id of the question in the staff group.
func (s *Store) threadKey(chat int64, messageID int) string {
	return s.tag(chat) + ":thread:" + strconv.Itoa(messageID)
}

// threadsKey lists a resident's open questions in the staff group (message
// ids), so that they can be deleted with the resident's data.
func (s *Store) threadsKey(chat, resident int64) string {
	return s.tag(chat) + ":threads:" + strconv.FormatInt(resident, 10)
}

// threadHash is one thread of a resident's in the staff group: "root" the
// question's message id (0 until sent), "m:<id>" each message of it.
func (s *Store) threadHash(chat, resident int64, id string) string {
	return s.tag(chat) + ":th:" + strconv.FormatInt(resident, 10) + "." + id
}

// askedKey counts the questions a resident passed on to staff this hour.
func (s *Store) askedKey(resident int64) string { return s.tag(resident) + ":asked" }

// followUpsKey counts the follow-ups a resident wrote to staff this hour.
func (s *Store) followUpsKey(resident int64) string { return s.tag(resident) + ":followups" }

func (s *Store) global(name string) string { return s.prefix + "{g}:" + name }
