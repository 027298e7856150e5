name = 
