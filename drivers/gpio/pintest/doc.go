// Package pintest registers fake GPIO pins (periph's gpiotest.Pin) in
// periph's gpioreg under given names, so that drivers/gpio.Open finds them as
// it would find a real board's pins. It is for tests only: it imports
// testing and gpiotest, so no production package may import it (the layout
// test checks); the simulated board has its own pins (board/sim.Pin).
//
// gpioreg is process-global and refuses a name registered twice, so every
// Register is paired with its Unregister (or, in tests, RegisterT, which
// unregisters in t.Cleanup). Pins start High: the idle level of the
// active-low inputs (see package board). Remember that gpiotest.Pin.In
// resets the level to the pull's level and drops queued edges, so set levels
// after the pin was configured.
package pintest
