package report

import "testing"

// FuzzRender renders a report and explain findings holding fuzzed outside
// data in every field, in every format, and checks that no control
// character reaches any output except the text renderer's own SGR colour
// codes, that the JSON stays valid, and that the Markdown renders no
// heading, link, image, autolink, HTML or table cell a report without the
// data lacks.
func FuzzRender(f *testing.F) {
	for _, v := range vectors {
		f.Add(v)
	}
	base := baselineShape(f)
	f.Fuzz(func(t *testing.T, v string) {
		checkRendered(t, renderAll(t, vectorReport(v), vectorFindings(v)), base)
	})
}
