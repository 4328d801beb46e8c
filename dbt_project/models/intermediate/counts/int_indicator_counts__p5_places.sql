{{ indicator_counts('p5_places') }}
