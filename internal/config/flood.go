package config

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultFloodLimit is how many updates a resident may send in a flood
// window (a minute) before the bot asks them once to slow down and then
// stays silent until the window has passed. Nobody asking questions writes
// twenty messages a minute; a stuck key or a script does.
const DefaultFloodLimit = 20

// maxFloodLimit keeps FLOOD_LIMIT a limit: more than this a minute is no
// longer a person writing.
const maxFloodLimit = 1000

func readFloodLimit(env func(string) string) (int, error) {
	v := strings.TrimSpace(env("FLOOD_LIMIT"))
	if v == "" {
		return DefaultFloodLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxFloodLimit {
		return 0, fmt.Errorf("FLOOD_LIMIT: %q is not a whole number of messages a minute from 1 to %d", v, maxFloodLimit)
	}
	return n, nil
}
