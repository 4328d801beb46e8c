{{ indicator_counts('p4_living_standards') }}
