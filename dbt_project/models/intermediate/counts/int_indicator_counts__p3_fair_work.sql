{{ indicator_counts('p3_fair_work') }}
