a = null
b = null
c = null
