package browsertest

import (
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// The browser window's size in CSS pixels, which is also the size of the
// screenshots.
const (
	WindowWidth  = 1280
	WindowHeight = 800
)

// ExecPath returns the Chromium to drive: $SMARTD_CHROMIUM when set, else
// the first of chromium (Debian's package), chromium-browser and
// google-chrome on PATH; "" when there is none.
func ExecPath() string {
	if p := os.Getenv("SMARTD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// AllocatorOptions are the options of the exec allocator that starts the
// Chromium at path: headless (chromedp's defaults), without the sandbox
// (which cannot start as root) or a GPU, with no background networking
// or component updates (tests must not reach the network), and a
// WindowWidth×WindowHeight window.
func AllocatorOptions(path string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(WindowWidth, WindowHeight),
	)
}
