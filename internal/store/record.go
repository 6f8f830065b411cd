package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A resident's private chat costs Redis one key, {u<id>}:state: a key of
// its own for the updates done and another for the flood count would cost
// more in key overhead than they hold. Its value is a record of three
// lines:
//
//	<done>\n<flood>\n<state>
//
// done: the updates of the chat done in the last UpdateTTL, each
// "<update id>.<unix minute>" as the difference to the one before, comma
// separated ("900000001.29333333,2.0,5.1"); flood: "<count>.<unix ms the
// window ends>", or empty; state: the conversation state's JSON, or empty
// (nothing saved). A value beginning with "{" is a state alone, as
// releases before this one wrote it; it becomes a record at the resident's
// next update. Groups keep their state, done set and flood counts in keys
// of their own: they are few, and a group's state is per member.
type record struct {
	done  []doneUpdate
	flood string
	state string
}

// doneUpdate is an update of a private chat that is done, and when.
type doneUpdate struct {
	id     int64
	minute int64 // unix minute it was committed
}

// parseRecord reads a private chat's value.
func parseRecord(v string) (record, error) {
	if v == "" || strings.HasPrefix(v, "{") {
		return record{state: v}, nil
	}
	done, rest, ok := strings.Cut(v, "\n")
	flood, state, ok2 := strings.Cut(rest, "\n")
	if !ok || !ok2 {
		return record{}, fmt.Errorf("stored record has %d lines, want 3", strings.Count(v, "\n")+1)
	}
	r := record{flood: flood, state: state}
	var id, minute int64
	for _, e := range strings.Split(done, ",") {
		if e == "" {
			continue
		}
		a, b, ok := strings.Cut(e, ".")
		di, err1 := strconv.ParseInt(a, 10, 64)
		dm, err2 := strconv.ParseInt(b, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return record{}, fmt.Errorf("stored record: done update %q is not <id>.<minute>", e)
		}
		id, minute = id+di, minute+dm
		r.done = append(r.done, doneUpdate{id: id, minute: minute})
	}
	return r, nil
}

// String writes the record as the scripts read it.
func (r record) String() string {
	var b strings.Builder
	var id, minute int64
	for i, d := range r.done {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(d.id-id, 10))
		b.WriteByte('.')
		b.WriteString(strconv.FormatInt(d.minute-minute, 10))
		id, minute = d.id, d.minute
	}
	b.WriteByte('\n')
	b.WriteString(r.flood)
	b.WriteByte('\n')
	b.WriteString(r.state)
	return b.String()
}

// doneSince counts the record's updates done since t.
func (r record) doneSince(t time.Time) int {
	n := 0
	for _, d := range r.done {
		if d.minute >= t.Unix()/60 {
			n++
		}
	}
	return n
}

// recordLua reads and writes records in the scripts, as parseRecord and
// String do; it is the start of the scripts that use it.
const recordLua = `
local function rec_read(v)
  if not v or v == '' then return {}, '', '' end
  if string.sub(v, 1, 1) == '{' then return {}, '', v end
  local a = string.find(v, '\n', 1, true)
  local b = string.find(v, '\n', a + 1, true)
  local done, id, m = {}, 0, 0
  for di, dm in string.gmatch(string.sub(v, 1, a - 1), '(-?%d+)%.(-?%d+)') do
    id, m = id + tonumber(di), m + tonumber(dm)
    done[#done + 1] = {id, m}
  end
  return done, string.sub(v, a + 1, b - 1), string.sub(v, b + 1)
end
local function rec_write(done, flood, state)
  local parts, id, m = {}, 0, 0
  for i, e in ipairs(done) do
    parts[i] = string.format('%d.%d', e[1] - id, e[2] - m)
    id, m = e[1], e[2]
  end
  return table.concat(parts, ',') .. '\n' .. flood .. '\n' .. state
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`
