// Package store keeps the bot's state in Redis: residents' conversation
// state today; subscriptions, deduplication and job queues as they come.
//
// # Key layout
//
// Every key starts with a prefix (default "ib:") so that one Redis can serve
// several bots. The part in braces is a Redis Cluster hash tag: keys of one
// resident share a slot, so multi-key operations on them stay in one slot.
//
//	key                      type    TTL        holds (personal data)
//	ib:{u<id>}:state         string  180 days   JSON: chosen language, last screen and its button data.
//	                                             The Telegram user id is in the key. No names, no
//	                                             phone numbers, no message texts.
//	ib:{u<id>}:upd:<update>  string  60 s/25 h  "busy" while a replica handles the update, then "done":
//	                                             deduplicates webhook retries and re-fetches. In the
//	                                             sender's slot so that claiming it also reads their state
//	                                             (one round trip). The user id is in the key.
//	ib:{u<id>}:lock          string  30 s       random token of the replica answering this resident's
//	                                             update in their own chat (webhook mode): keeps their
//	                                             updates in order. Taken with the update's claim and
//	                                             their state in one script. The user id is in the key.
//	ib:{c<chat>}:lock        string  30 s       the same for a group chat, whose members' updates
//	                                             share one lock. The chat id is in the key.
//	ib:inactive              set     none       user ids of residents who blocked the bot (from 403
//	                                             answers and my_chat_member updates); removed when they
//	                                             unblock or delete their data.
//	ib:rate:<unix second>    string  2 s        messages sent in that second by all replicas together
//	                                             (the shared global rate limit). No personal data.
//
// The TTL is renewed with each message, so the state of a resident who stops
// writing is gone 180 days later, as the privacy text says.
package store

import "strconv"

// StateTTL is how long a resident's state is kept after their last message.
const StateTTL = 180 * 24 * 60 * 60 // seconds; see the privacy text in locales/

func (s *Store) stateKey(userID int64) string {
	return s.prefix + "{u" + strconv.FormatInt(userID, 10) + "}:state"
}
