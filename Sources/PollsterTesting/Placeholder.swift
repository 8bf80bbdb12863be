import Pollster
