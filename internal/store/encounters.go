package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Encounters staff create in Telegram live in Redis beside the content
// files' (no personal data: what a poster would say). Each has a version;
// a save names the version it was based on and is refused when another
// save came in between.
//
//	ib:{g}:enc       hash    none  per encounter id: "<version>\n<save id>\n<YAML>" (encounters.yaml format);
//	                               a deleted one keeps its version and save id with no YAML, so that a
//	                               repeated delete is recognised and a stale edit refused
//	ib:{g}:enc:gen   string  none  counts every change, so that each replica sees it and reloads

// StoredEncounter is an encounter kept in Redis.
type StoredEncounter struct {
	ID      string
	Version int64
	Data    string // its YAML; empty: deleted
}

// EncounterSave is the outcome of SaveEncounter.
type EncounterSave struct {
	Saved   bool  // applied now, or by this same save before
	Version int64 // the version now stored
	Deleted bool  // not saved: the stored one was deleted meanwhile
}

func (s *Store) encKey() string    { return s.global("enc") }
func (s *Store) encGenKey() string { return s.global("enc:gen") }

// saveEncounterScript compares and sets one encounter. KEYS: enc, gen.
// ARGV: id, base version, save id, YAML ("" deletes). Returns saved (1/0),
// the version now stored, deleted (1/0).
var saveEncounterScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local v, sid, data = 0, '', ''
if cur then
  local a = string.find(cur, '\n', 1, true)
  local b = string.find(cur, '\n', a + 1, true)
  v = tonumber(string.sub(cur, 1, a - 1))
  sid = string.sub(cur, a + 1, b - 1)
  data = string.sub(cur, b + 1)
end
if cur and sid == ARGV[3] then return {1, v, 0} end
if v ~= tonumber(ARGV[2]) then
  if cur and data == '' then return {0, v, 1} end
  return {0, v, 0}
end
v = v + 1
redis.call('HSET', KEYS[1], ARGV[1], v .. '\n' .. ARGV[3] .. '\n' .. ARGV[4])
redis.call('INCR', KEYS[2])
return {1, v, 0}`)

// SaveEncounter stores an encounter (data "" deletes it) if the stored
// version is still base (0: it must be new); saveID makes a repeated save
// (a retried update) a success, not a conflict.
func (s *Store) SaveEncounter(ctx context.Context, id string, base int64, saveID, data string) (EncounterSave, error) {
	if strings.Contains(saveID, "\n") {
		return EncounterSave{}, fmt.Errorf("save encounter %s: bad save id", id)
	}
	res, err := saveEncounterScript.Run(ctx, s.rdb, []string{s.encKey(), s.encGenKey()}, id, base, saveID, data).Int64Slice()
	if err != nil {
		return EncounterSave{}, fmt.Errorf("save encounter %s: %w", id, err)
	}
	return EncounterSave{Saved: res[0] == 1, Version: res[1], Deleted: res[2] == 1}, nil
}

// Encounters returns the stored encounters (deleted ones too, with no
// data) and the count of changes they reflect.
func (s *Store) Encounters(ctx context.Context) ([]StoredEncounter, int64, error) {
	var all *redis.MapStringStringCmd
	var gen *redis.StringCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		all = p.HGetAll(ctx, s.encKey())
		gen = p.Get(ctx, s.encGenKey())
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, fmt.Errorf("load encounters: %w", err)
	}
	n, _ := strconv.ParseInt(gen.Val(), 10, 64)
	var out []StoredEncounter
	for id, v := range all.Val() {
		ver, rest, ok := strings.Cut(v, "\n")
		_, data, ok2 := strings.Cut(rest, "\n")
		version, err := strconv.ParseInt(ver, 10, 64)
		if !ok || !ok2 || err != nil {
			return nil, 0, fmt.Errorf("load encounters: %s is unreadable", id)
		}
		out = append(out, StoredEncounter{ID: id, Version: version, Data: data})
	}
	// in the order of their ids, the same on every replica and in every export
	slices.SortFunc(out, func(a, b StoredEncounter) int { return strings.Compare(a.ID, b.ID) })
	return out, n, nil
}

// EncountersChanged is the count of changes to the stored encounters.
func (s *Store) EncountersChanged(ctx context.Context) (int64, error) {
	n, err := s.rdb.Get(ctx, s.encGenKey()).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("encounters changed: %w", err)
	}
	return n, nil
}
