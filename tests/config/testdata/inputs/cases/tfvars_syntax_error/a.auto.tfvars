# a second broken file is reported in the same run
b = {
  k = 
}
