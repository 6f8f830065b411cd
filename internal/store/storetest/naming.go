// Package storetest holds what tests of several packages need to look into
// the bot's Redis.
package storetest

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Naming lists the keys under prefix whose name or value carries id (as a
// whole number, not as part of a longer one): what a deletion must leave
// empty.
func Naming(t testing.TB, rdb redis.UniversalClient, prefix string, id int64) []string {
	t.Helper()
	ctx := context.Background()
	word := regexp.MustCompile(`(^|[^0-9])` + fmt.Sprint(id) + `([^0-9]|$)`)
	var found []string
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		var values []string
		switch rdb.Type(ctx, key).Val() {
		case "string":
			values = []string{rdb.Get(ctx, key).Val()}
		case "list":
			values = rdb.LRange(ctx, key, 0, -1).Val()
		case "set":
			values = rdb.SMembers(ctx, key).Val()
		case "zset":
			values = rdb.ZRange(ctx, key, 0, -1).Val()
		case "hash":
			for k, v := range rdb.HGetAll(ctx, key).Val() {
				values = append(values, k, v)
			}
		}
		if word.MatchString(strings.TrimPrefix(key, prefix)) {
			found = append(found, key)
		}
		for _, v := range values {
			if word.MatchString(v) {
				found = append(found, key+" = "+v)
			}
		}
	}
	sort.Strings(found)
	return found
}
