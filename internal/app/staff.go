package app

import (
	"fmt"

	"github.com/integrationsagentur-marl/integrabot/internal/poster"
)

// qr is the deep link of a /start payload and its QR code as a PNG, for
// the staff's QR button: the bot's username is known once getMe answered.
func (a *App) qr(payload string) (string, []byte, error) {
	name, _ := a.username.Load().(string)
	link, err := poster.Link(name, payload)
	if err != nil {
		return "", nil, fmt.Errorf("qr: %w", err)
	}
	png, err := poster.PNG(link)
	if err != nil {
		return "", nil, err
	}
	return link, png, nil
}
