package telegram

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// maxWholeBody is the largest request body WholeBodies reads before sending;
// larger ones (file uploads) are streamed as before.
const maxWholeBody = 1 << 20

// WholeBodies wraps a transport so that a request body of unknown length is
// read whole before it is sent. go-telegram/bot streams every request as a
// multipart form through a pipe, which net/http sends chunked: one system
// call per form field. Read first, a message goes out in one write with a
// Content-Length, which is what makes the bot fast under load.
func WholeBodies(next http.RoundTripper) http.RoundTripper {
	return wholeBodies{next: next}
}

type wholeBodies struct{ next http.RoundTripper }

func (t wholeBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength > 0 {
		return t.next.RoundTrip(req)
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, maxWholeBody+1))
	if err != nil {
		_ = req.Body.Close()
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	out := *req // a RoundTripper must not change the caller's request
	if len(data) > maxWholeBody {
		out.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(data), req.Body), req.Body}
		return t.next.RoundTrip(&out)
	}
	_ = req.Body.Close()
	out.ContentLength = int64(len(data))
	out.Body = io.NopCloser(bytes.NewReader(data))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return t.next.RoundTrip(&out)
}
