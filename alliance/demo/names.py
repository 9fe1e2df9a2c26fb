"""Made-up Chinese names for demo people, deterministic so seeding twice gives the same data."""

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"


def person_name(i: int) -> str:
    surname = SURNAMES[i % len(SURNAMES)]
    a = GIVEN[(i * 7 + 3) % len(GIVEN)]
    if i % 3 == 0:
        return surname + a
    b = GIVEN[(i * 13 + 5) % len(GIVEN)]
    return surname + a + b


def demo_phone(i: int) -> str:
    # 139 0000 xxxx: valid-looking mainland mobiles reserved for the demo.
    return f"1390000{i:04d}"
