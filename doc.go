// Package fairrec is the firmware of an on-premise call-recorder appliance
// that records calls the lawful way: it announces why a call is recorded
// before keeping anything, lets the caller object with a key press and the
// employee with a button, stores audio encrypted with a key per recording, and
// erases each recording when the retention of its purposes runs out.
//
// This root package holds no code; its tests check the layout rules of the
// repository (see layout_test.go):
//
//   - every package has exactly one package doc, in doc.go (or in the main
//     file of a command);
//   - firmware/ and storage/ import nothing from drivers/ or board/, and
//     never use the wall clock (time.Now, Sleep, Since, Until, After,
//     AfterFunc, NewTimer, NewTicker, Tick, found by parsing, under any
//     import name): time is a dependency, a clock they are given;
//   - storage/ imports nothing from firmware/;
//   - no production file imports testing or an xxxtest package (a fake),
//     and the commands link neither (go list -deps ./cmd/...);
//   - cgo is used only in drivers/audio.
//
// The layout and the way data flows are described in README.md.
package fairrec
