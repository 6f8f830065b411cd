// Package reminder sends encounters' followers their reminders and the
// news of a change, on time and once each, whichever replica does it.
//
// The planner turns the content into jobs: one per occurrence and reminder
// offset, due at the occurrence's start minus the offset, and one notice
// when an occurrence moved or was cancelled. It records per encounter which
// occurrences it planned, so that the next content tells what changed.
// The runner takes the jobs that fell due, lets the conversation core write
// each follower's message in the language they read now, and commits it to
// the bulk lane of the delivery path, once per (follower, job) however
// often a job is begun again after a crash.
package reminder
