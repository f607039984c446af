package sample

type T struct{ n int }

func (t T) Long(x int) int {
	if x > 0 && x < 10 || x == 20 {
		return UseB()
	}
	for i := 0; i < x; i++ {
		switch i {
		case 1:
			x++
		case 2:
			x--
		default:
		}
	}
	return x
}
