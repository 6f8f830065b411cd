package config

import (
	"fmt"
	"strconv"
	"strings"
)

// readStaffChat reads STAFF_CHAT_ID: the staff group where residents'
// questions go. Telegram gives groups negative ids (supergroups start with
// -100); a positive id would be a person's private chat, never a group.
func readStaffChat(env func(string) string) (int64, error) {
	v := strings.TrimSpace(env("STAFF_CHAT_ID"))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id >= 0 {
		return 0, fmt.Errorf("STAFF_CHAT_ID: %q is not a group's chat id (a negative number, like -1001234567890: add the bot to the staff group and read the id from an update)", v)
	}
	return id, nil
}
