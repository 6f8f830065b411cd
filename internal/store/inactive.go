package store

import (
	"context"
	"fmt"
	"strconv"
)

func (s *Store) inactiveKey() string { return s.prefix + "inactive" }

// SetInactive records that a resident blocked the bot (403, or a
// my_chat_member update), so that reminders and broadcasts skip them; false
// records that they are back.
func (s *Store) SetInactive(ctx context.Context, userID int64, inactive bool) error {
	var err error
	if inactive {
		err = s.rdb.SAdd(ctx, s.inactiveKey(), strconv.FormatInt(userID, 10)).Err()
	} else {
		err = s.rdb.SRem(ctx, s.inactiveKey(), strconv.FormatInt(userID, 10)).Err()
	}
	if err != nil {
		return fmt.Errorf("set inactive: %w", err)
	}
	return nil
}

// Inactive tells whether a resident has blocked the bot.
func (s *Store) Inactive(ctx context.Context, userID int64) (bool, error) {
	ok, err := s.rdb.SIsMember(ctx, s.inactiveKey(), strconv.FormatInt(userID, 10)).Result()
	if err != nil {
		return false, fmt.Errorf("inactive: %w", err)
	}
	return ok, nil
}
