package app_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// A staff member opens /staff, taps QR-Code and an encounter, and gets the
// QR code of its deep link as a picture uploaded to Telegram, the link in
// its caption; a resident who forwards the same button gets the refusal.
// The staff commands are in the staff member's own menu only.
func TestStaffQRCode(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "marl_bot"))
	defer api.Close()
	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "de"}
	resident := telegramtest.User{ID: 5001, FirstName: "Olena", LanguageCode: "uk"}
	h := startWithOptions(t, api, "", "", app.Options{Limits: fastLimits}, func(c *config.Config) { c.AdminIDs = []int64{5000} })
	api.SendText(staffer, "/start")
	h.waitSent(5000, 1)
	api.SendText(staffer, "/staff")
	menu := h.waitSent(5000, 2)[1]
	mustContain(t, texts([]telegramtest.Sent{menu}), "Team-Menü", "📅 Begegnungen|ed:list~", "➕ Neue Begegnung|ed:new~")
	pressStaff(t, api, staffer, menu.MessageID, "sf:qr")
	list := h.waitSent(5000, 3)[2]
	mustContain(t, list.Text, "Für welche Begegnung?")
	pressStaff(t, api, staffer, list.MessageID, "sf:qr:sample-cafe")
	photo := h.waitSent(5000, 4)[3]
	if photo.Method != "sendPhoto" || photo.Document == nil || photo.Document.FileName != "sample-cafe.png" {
		t.Fatalf("want an uploaded photo, got %s %+v", photo.Method, photo.Document)
	}
	img, err := png.Decode(bytes.NewReader(photo.Document.Data))
	if err != nil || img.Bounds().Dx() < 300 {
		t.Fatalf("not a printable PNG: %v", err)
	}
	mustContain(t, photo.Text, "https://t.me/marl_bot?start=e_sample-cafe")

	if r := api.Rejected(); len(r) > 0 {
		t.Errorf("Telegram would have rejected: %v", r)
	}

	// the same signed button, replayed by a resident: refused, no picture
	var signed string
	for _, row := range list.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, "sf:qr:sample-cafe~") {
				signed = b.CallbackData
			}
		}
	}
	api.SendText(resident, "/start")
	h.waitSent(5001, 1)
	api.PushUpdate(map[string]any{"callback_query": map[string]any{"id": "replayed", "chat_instance": "1", "data": signed,
		"from":    map[string]any{"id": 5001, "is_bot": false, "first_name": "Olena", "language_code": "uk"},
		"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": map[string]any{"id": 5001, "type": "private"}}}})
	api.SendText(resident, "/stats")
	got := h.waitSent(5001, 3)[1:]
	for _, m := range got {
		if m.Method != "sendMessage" || !strings.Contains(m.Text, "Це можуть робити лише працівники агенції") {
			t.Errorf("a resident's staff button or command: %s %q", m.Method, m.Text)
		}
	}
	waitFor(t, "the staff member's command menu", func() bool {
		cmds := api.CommandsInScope("chat:5000", "")
		return len(cmds) > 0 && cmds[len(cmds)-1].Command == "stats"
	})
	if cmds := api.CommandsInScope("chat:5000", "uk"); len(cmds) == 0 || cmds[len(cmds)-1].Description != "Цифри (команда)" {
		t.Errorf("the staff member's Ukrainian menu: %+v", cmds)
	}
	for _, c := range api.Commands("") {
		if c.Command == "stats" || c.Command == "staff" {
			t.Errorf("a staff command in everyone's menu: %+v", c)
		}
	}
}

// Residents' questions are counted on the commit path: a staff member's
// /stats then shows exactly what happened, counts only.
func TestStaffStats(t *testing.T) {
	h := startWithStaff(t, 5000)
	ann := telegramtest.User{ID: 5101, FirstName: "Ann", LanguageCode: "de"}
	ben := telegramtest.User{ID: 5102, FirstName: "Ben", LanguageCode: "de"}
	for _, m := range []struct {
		u    telegramtest.User
		text string
	}{{ann, "/start"}, {ann, "Telefon"}, {ann, "xqzv wrtp"}, {ben, "/start"}, {ben, "Hallo"}} {
		h.api.SendText(m.u, m.text)
	}
	h.waitSent(5101, 3) // a barrier: their answers go out once committed
	h.waitSent(5102, 2)
	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "de"}
	h.api.SendText(staffer, "/stats")
	got := h.waitSent(5000, 1)[0].Text
	mustContain(t, got, "Menschen, die den Bot nutzen: 2", "nach Sprache: Sprache der App 2", "Davon verfolgen Erinnerungen oder Neuigkeiten: 0",
		"Aktiv in den letzten 7 Tagen: 2 · in den letzten 30 Tagen: 2", "Fragen in den letzten 30 Tagen: 3", "• Ansprechpersonen: 1",
		"• Gruß und Dank: 1", "keinem Thema zuordnen konnte ich: 1", "An das Team weitergegeben (30 Tage): 0 · Antworten des Teams: 0 · jetzt offen: 0",
		"Rundschreiben (30 Tage): 0", "Erinnerungen gesendet (30 Tage): 0")
	for _, private := range []string{"5101", "5102", "Ann", "Ben", "Telefon", "xqzv"} {
		if strings.Contains(got, private) {
			t.Errorf("the figures name %q:\n%s", private, got)
		}
	}
}
