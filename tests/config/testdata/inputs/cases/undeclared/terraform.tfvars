a      = "set"
ghost1 = 1
ghost2 = 2
ghost3 = 3
ghost4 = 4
