package sample

type V struct{}

func (V) name() string { return "" }
