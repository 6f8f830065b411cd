package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// After kill -9 and a restart, every update Telegram had confirmed is
// answered: the bot confirms an update only after answering it. Only the
// updates in flight at the kill may be answered twice.
func TestKillNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := buildBinary(t)
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithFirstUpdateID(time.Now().UnixNano()%1e9))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	defer cleanRedis(redisURL(t), prefix)
	run := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+token, "TELEGRAM_API_URL="+api.URL,
			"REDIS_URL="+redisURL(t), "REDIS_KEY_PREFIX="+prefix, "LISTEN_ADDR=127.0.0.1:0")
		var logs strings.Builder
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	const residents = 60
	for r := 0; r < residents; r++ {
		api.SendText(telegramtest.User{ID: int64(3000 + r), FirstName: "R", LanguageCode: "de"}, "Telefon")
	}
	first := run()
	h := &harness{t: t, api: api}
	waitFor(t, "some answers", func() bool { return len(api.Sent()) >= 10 })
	_ = first.Process.Kill() // kill -9: no draining, no confirming
	_ = first.Wait()
	answeredBefore := len(api.Sent())

	second := run()
	defer func() { _ = second.Process.Signal(os.Interrupt); _ = second.Wait() }()
	doubled := 0
	for r := 0; r < residents; r++ {
		got := h.waitSent(int64(3000+r), 1)
		if len(got) > 1 {
			doubled++
		}
	}
	time.Sleep(300 * time.Millisecond)
	if inFlight := deliver.DefaultLimits(25, 20).Workers; doubled > inFlight { // the messages in flight when killed
		t.Errorf("%d residents were answered twice; only those in flight at the kill may be", doubled)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for api.Pending() > 0 && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	if p := api.Pending(); p != 0 {
		t.Errorf("%d updates still unconfirmed after the restart answered them", p)
	}
	t.Logf("%d messages sent before kill -9; %d residents answered twice after the restart", answeredBefore, doubled)
}

// buildBinary builds integrabot for a test that runs it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "integrabot")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/integrabot")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// SIGHUP to the running binary reloads the content folder.
func TestSighupReloadsTheContent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	dir := contentFolder(t, func(name string, data []byte) []byte {
		if name == "services.yaml" {
			data = []byte(strings.Replace(string(data), `de: "Ehrenamt stärken"`, `de: "Ehrenamt vorher"`, 1))
		}
		return data
	})
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	defer cleanRedis(redisURL(t), prefix)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+token, "TELEGRAM_API_URL="+api.URL, "CONTENT_DIR="+dir,
		"REDIS_URL="+redisURL(t), "REDIS_KEY_PREFIX="+prefix, "LISTEN_ADDR=127.0.0.1:0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	h := &harness{t: t, api: api}
	u := telegramtest.User{ID: 2700, FirstName: "S", LanguageCode: "de"}
	api.SendText(u, "/services")
	mustContain(t, texts(h.waitSentWithin(2700, 1, 20*time.Second)), "Ehrenamt vorher")
	services := filepath.Join(dir, "services.yaml")
	data, _ := os.ReadFile(services)
	if err := os.WriteFile(services, []byte(strings.Replace(string(data), "Ehrenamt vorher", "Ehrenamt nachher", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for n := 2; ; n++ {
		api.SendText(u, "/services")
		if strings.Contains(texts(h.waitSent(2700, n)[n-1:]), "Ehrenamt nachher") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("after SIGHUP the bot still answers with the old content")
		}
	}
}

// contentFolder copies the default content into a folder of the test's own,
// each file through edit (nil: unchanged), and returns the folder.
func contentFolder(t *testing.T, edit func(name string, data []byte) []byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"agency.yaml", "services.yaml", "contacts.yaml", "encounters.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "content", "default", name))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			data = edit(name, data)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
