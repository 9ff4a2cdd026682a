package compliance

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

func day0(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// WriteText writes the report as plain text.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	approx := ""
	if r.Approximate {
		approx = " (clock not trusted: times approximate)"
	}
	fmt.Fprintf(&b, "fairrec compliance report, %s%s\n", r.Generated.Format(time.RFC3339), approx)
	fmt.Fprintf(&b, "period: %s .. %s; rules: %s\n", day0(r.From), day0(r.Generated), r.Rules)
	fmt.Fprintf(&b, "controller: %s; DPO: %s; device: %s\n", orFill(r.Controller.Name, "controller name"), orFill(r.Controller.DPO, "dpo"), device(r.Device))
	fmt.Fprintf(&b, "audit chain: %s\n", r.Chain)
	fmt.Fprintf(&b, "recordings: %d", r.Recordings)
	if r.NoGrant > 0 {
		fmt.Fprintf(&b, " (%d without purpose, erased at the next sweep)", r.NoGrant)
	}
	if r.Tampered > 0 {
		fmt.Fprintf(&b, "; %d FAILED AUTHENTICATION", r.Tampered)
	}
	b.WriteString("\n\n")
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PURPOSE\tBASIS\tRETENTION\tON OBJECTION\tREVIEW\tRECORDINGS\tHELD\tOLDEST\tNEXT DEADLINE\tOBJECTIONS\tEXPIRED")
	for _, p := range r.Purposes {
		basis := string(p.Basis) + " " + p.Article
		if !p.Configured {
			basis, p.Rule = "(no longer configured)", "as granted"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%d\t%d\n", p.Name, basis, p.Rule, p.Objection,
			yesNo(p.Review), p.Count, p.Held, day0(p.Oldest), day0(p.NextDeadline), p.Objections, p.Expired)
	}
	tw.Flush()
	b.WriteString("\n")
	if r.AuditNote != "" {
		fmt.Fprintf(&b, "in the period: %s\n", r.AuditNote)
	} else {
		c := r.Period
		fmt.Fprintf(&b, "in the period: %d calls, notices played complete %d, incomplete %d\n", c.Calls, c.NoticesComplete, c.NoticesIncomplete)
		fmt.Fprintf(&b, "requests: %d erasure (%d found nothing), %d access (%d found nothing); reviews: %d, %s heard\n",
			c.ErasureRequests, c.ErasureNone, c.AccessRequests, c.AccessNone, c.Reviews, heard(c.SecondsHeard))
		fmt.Fprintf(&b, "%d objections (%d before recording); erased: %d by retention timer, %d by request, %d by objection; %d restricted by request (legal obligation)\n",
			c.Objections, c.ObjectionsBefore, c.ErasedByTimer, c.ErasedByRequest, c.ErasedObjection, c.Restricted)
		fmt.Fprintf(&b, "holds: %d placed, %d released; exports: %d; clock trust changes: %d\n", c.Holds, c.Releases, c.Exports, c.ClockChanges)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// device names the appliance, "unknown" when its host name was not read.
func device(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func heard(sec float64) string { return fmt.Sprintf("%.1f s", sec) }

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

var chartColors = []string{"#4c9f70", "#8cc084", "#f2c14e", "#f78154", "#b33f62"}

type bar struct {
	X, W  int
	Color string
	Title string
}

type chartRow struct {
	Y     int
	Label string
	Bars  []bar
	Total int
}

// chart lays out one horizontal stacked bar per purpose, scaled to the
// largest count.
func (r *Report) chart() (rows []chartRow, height int) {
	const labelW, width, rowH = 110, 360, 22
	most := 1
	for _, p := range r.Purposes {
		most = max(most, p.Count)
	}
	for i, p := range r.Purposes {
		row := chartRow{Y: 10 + i*rowH, Label: p.Name, Total: p.Count}
		x := labelW
		for j, n := range p.Ages {
			if n == 0 {
				continue
			}
			w := max(n*width/most, 1)
			row.Bars = append(row.Bars, bar{X: x, W: w, Color: chartColors[j%len(chartColors)],
				Title: fmt.Sprintf("%s: %d %s", p.Name, n, ageBuckets[j].Label)})
			x += w
		}
		rows = append(rows, row)
	}
	return rows, 10 + len(r.Purposes)*rowH + 30
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"day": day0, "yesno": yesNo, "fill": orFill, "heard": heard, "device": device,
	"rfc": func(t time.Time) string { return t.Format(time.RFC3339) },
	"add": func(a, b int) int { return a + b },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>fairrec compliance report {{day .R.Generated}}</title>
<style>
body{font-family:sans-serif;margin:2em;color:#222;max-width:60em}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right}
.warn{color:#a00;font-weight:bold}
@media print{body{margin:0}}
</style></head><body>
<h1>fairrec compliance report</h1>
<p>Generated {{rfc .R.Generated}}{{if .R.Approximate}} <span class="warn">(clock not trusted: times approximate)</span>{{end}}.
Period {{day .R.From}} to {{day .R.Generated}}. Rules: {{.R.Rules}}.
Recordings kept: {{.R.Recordings}}{{if .R.Tampered}}; <span class="warn">{{.R.Tampered}} failed authentication</span>{{end}}.</p>
<table>
<tr><th>Controller</th><td>{{fill .R.Controller.Name "controller name"}}{{if .R.Controller.Contact}}, {{.R.Controller.Contact}}{{end}}</td></tr>
<tr><th>Data protection officer</th><td>{{fill .R.Controller.DPO "dpo"}}</td></tr>
<tr><th>Device</th><td>{{device .R.Device}}</td></tr>
<tr><th>Audit chain</th><td>{{if .R.Chain.Verified}}{{.R.Chain}}{{else}}<span class="warn">{{.R.Chain}}</span>{{end}}</td></tr>
</table>
<h2>Purposes</h2>
<table><tr><th>Purpose</th><th>Lawful basis</th><th>Retention</th><th>On objection</th><th>Review</th><th>Recordings</th><th>Held</th><th>Oldest</th><th>Next deadline</th><th>Objections</th><th>Expired</th></tr>
{{range .R.Purposes}}<tr><td><b>{{.Name}}</b><br>{{.Description}}</td><td>{{.Basis}} {{.Article}}</td><td>{{.Rule}}</td><td>{{.Objection}}</td><td>{{yesno .Review}}</td><td class="n">{{.Count}}</td><td class="n">{{.Held}}</td><td>{{day .Oldest}}</td><td>{{day .NextDeadline}}</td><td class="n">{{.Objections}}</td><td class="n">{{.Expired}}</td></tr>
{{end}}</table>
<h2>Recordings by age</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="520" height="{{.H}}" viewBox="0 0 520 {{.H}}" role="img" aria-label="recordings by age per purpose">
{{range .Rows}}{{$row := .}}<text x="0" y="{{add .Y 13}}" font-size="12">{{.Label}} ({{.Total}})</text>{{range .Bars}}<rect x="{{.X}}" y="{{$row.Y}}" width="{{.W}}" height="16" fill="{{.Color}}"><title>{{.Title}}</title></rect>{{end}}
{{end}}{{range $i, $b := .Legend}}<rect x="{{$b.X}}" y="{{$.LegendY}}" width="10" height="10" fill="{{$b.Color}}"/><text x="{{add $b.X 14}}" y="{{add $.LegendY 9}}" font-size="10">{{$b.Title}}</text>
{{end}}</svg>
<h2>In the period</h2>
{{if .R.AuditNote}}<p>{{.R.AuditNote}}</p>{{else}}{{with .R.Period}}<table>
<tr><td>Calls (notice played)</td><td class="n">{{.Calls}}</td></tr>
<tr><td>Notices played complete / incomplete</td><td class="n">{{.NoticesComplete}} / {{.NoticesIncomplete}}</td></tr>
<tr><td>Erasure requests (found nothing)</td><td class="n">{{.ErasureRequests}} ({{.ErasureNone}})</td></tr>
<tr><td>Access requests (found nothing)</td><td class="n">{{.AccessRequests}} ({{.AccessNone}})</td></tr>
<tr><td>Reviews / time heard</td><td class="n">{{.Reviews}} / {{heard .SecondsHeard}}</td></tr>
<tr><td>Objections, once per call (before recording)</td><td class="n">{{.Objections}} ({{.ObjectionsBefore}})</td></tr>
<tr><td>Erased by retention timer</td><td class="n">{{.ErasedByTimer}}</td></tr>
<tr><td>Erased by request</td><td class="n">{{.ErasedByRequest}}</td></tr>
<tr><td>Erased by objection</td><td class="n">{{.ErasedObjection}}</td></tr>
<tr><td>Restricted by request (legal obligation)</td><td class="n">{{.Restricted}}</td></tr>
<tr><td>Holds placed / released</td><td class="n">{{.Holds}} / {{.Releases}}</td></tr>
<tr><td>Exports</td><td class="n">{{.Exports}}</td></tr>
<tr><td>Clock trust changes</td><td class="n">{{.ClockChanges}}</td></tr>
</table>{{end}}{{end}}
</body></html>
`))

// WriteHTML writes the report as one self-contained printable HTML page
// with an inline SVG chart of recordings by age per purpose.
func (r *Report) WriteHTML(w io.Writer) error {
	rows, h := r.chart()
	var legend []bar
	for i, b := range ageBuckets {
		legend = append(legend, bar{X: 110 + i*82, Color: chartColors[i], Title: b.Label})
	}
	data := struct {
		R       *Report
		Rows    []chartRow
		H       int
		Legend  []bar
		LegendY int
	}{R: r, Rows: rows, H: h, Legend: legend, LegendY: h - 20}
	return htmlTmpl.Execute(w, data)
}
